// GATEWAY_MODE=webhook: POST the envelope to knight-gateway's /webhook (docs/contract.md §5): over
// the bridge's own one-send client to an http:// gateway, through httplib to an https:// one.
#include <algorithm>

#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/answer_wait.hpp"
#include "roundtable/bridge/gateway_answer.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/bridge/webhook_answer.hpp"
#include "roundtable/bridge/plain_exchange.hpp"

namespace rt::bridge {
namespace {

class WebhookClient final : public GatewayClient {
 public:
  explicit WebhookClient(const BridgeConfig& config)
      : token_(config.gateway_token),
        timeout_(config.gateway_timeout),
        base_(gateway_base(config)),
        webhook_path_(base_.route("/webhook")),
        pool_(base_.origin, config.gateway_timeout),
        health_pool_(base_.origin, std::chrono::seconds(2)) {
    if (auto origin = http::parse_plain_origin(base_.origin)) plain_.emplace(std::move(*origin));
  }

  GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink& progress) override {
    if (plain_) return post_plain(request, progress);
    return post_through_httplib(request, progress);
  }

  void cancel(const std::string& task_id) override {
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    auto lease = health_pool_.borrow();
    auto res = lease->Post(base_.route("/tasks/" + task_id + "/cancel"), headers, "", "application/json");
    (void)res;  // best effort: a gateway that does not hear it still ends at its deadline
  }

  bool healthy() override {
    auto lease = health_pool_.borrow();
    auto res = lease->Get(base_.route("/health"));
    return res && res->status == 200;
  }

 private:
  GatewayOutcome post_plain(const GatewayRequest& request, const ProgressSink& progress) {
    WebhookAnswer answer(request, progress);
    PlainCall call{webhook_path_, [&](const HeaderSink& add) { each_webhook_header(request, token_, add); }, request.raw};
    auto reply = exchange_plain(
        *plain_, request, call, timeout_, [&](const http::ResponseHead& head) { answer.on_head(head.status, head.content_type); },
        [&](const char* data, size_t size) { return answer.on_body(data, size); });
    if (auto broke = answer.refused()) return *broke;
    if (reply.lost) return *reply.lost;
    return answer.outcome(reply.head.retry_after);
  }

  // https:// gateways.
  GatewayOutcome post_through_httplib(const GatewayRequest& request, const ProgressSink& progress) {
    auto lease = pool_.borrow();
    before_sending(request, lease->is_socket_open(), request.raw.size());
    httplib::Request req;
    req.method = "POST";
    req.path = webhook_path_;
    // The message's bytes go to the socket as they are: no copy in req.body, and none when
    // send() copies the request.
    req.content_length_ = request.raw.size();
    req.content_provider_ = [&request, &lease](size_t offset, size_t length, httplib::DataSink& sink) {
      const auto& raw = request.raw;
      size_t count = std::min(length, raw.size() - offset);
      bool written = sink.write(raw.data() + offset, count);
      if (written && offset + count == raw.size()) request_written(request, lease->socket());
      return written;
    };
    each_webhook_header(request, token_, [&req](std::string_view name, std::string_view value) { req.set_header(std::string(name), std::string(value)); });
    WebhookAnswer answer(request, progress);
    req.response_handler = [&](const httplib::Response& response) {
      answer.on_head(response.status, response.get_header_value("Content-Type"));
      return true;
    };
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) { return answer.on_body(data, size); };
    auto began = std::chrono::steady_clock::now();
    auto res = lease->send(req);
    if (auto broke = answer.refused()) return *broke;
    if (!res)
      return outcome_for_transport_failure(http::is_timeout(res.error(), std::chrono::steady_clock::now() - began, timeout_),
                                           httplib::to_string(res.error()),
                                           res.error() == httplib::Error::Connection);
    return answer.outcome(res->get_header_value("Retry-After"));
  }

  std::string token_;
  std::chrono::milliseconds timeout_;
  http::BaseUrl base_;  // GATEWAY_URL: its routes hang under its path
  std::string webhook_path_;
  std::optional<http::PlainConnectionPool> plain_;  // http:// gateways: the one-send client
  http::HttpClientPool pool_;
  http::HttpClientPool health_pool_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_webhook_client(const BridgeConfig& config) { return std::make_unique<WebhookClient>(config); }

}  // namespace rt::bridge
