// GATEWAY_MODE=webhook: POST the envelope to knight-gateway's /webhook (docs/contract.md §5).
#include <algorithm>

#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/answer_wait.hpp"
#include "roundtable/bridge/gateway_answer.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

class WebhookClient final : public GatewayClient {
 public:
  explicit WebhookClient(const BridgeConfig& config)
      : token_(config.gateway_token), pool_(config.gateway_url, config.gateway_timeout), health_pool_(config.gateway_url, std::chrono::seconds(2)) {}

  GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink& progress) override {
    auto lease = pool_.borrow();
    before_sending(request, lease->is_socket_open(), request.raw.size());
    httplib::Request req;
    req.method = "POST";
    req.path = "/webhook";
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
    req.set_header("Content-Type", "application/json");
    req.set_header("Accept", "application/x-ndjson, application/json");
    req.set_header("X-Roundtable-Attempt", std::to_string(request.attempt));
    req.set_header("X-Roundtable-Deadline", format_rfc3339(request.deadline));
    if (!token_.empty()) req.set_header("Authorization", "Bearer " + token_);
    for (const auto& [name, value] : request.trace_headers) req.set_header(name, value);

    bool ndjson = false;
    std::string body;
    NdjsonReader reader(progress);
    int answer_status = 0;
    req.response_handler = [&](const httplib::Response& response) {
      answer_status = response.status;
      ndjson = response.get_header_value("Content-Type").find("application/x-ndjson") != std::string::npos;
      if (ndjson && request.on_waiting) request.on_waiting();  // progress lines: the answer takes its time
      return true;
    };
    std::optional<std::string> too_large;
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      if (ndjson) {
        if (!reader.feed(data, size)) too_large = reader.error();
        return !too_large;
      }
      if (body.size() + size > kMaxAnswerBytes) {
        too_large = "gateway answer is larger than " + std::to_string(kMaxAnswerBytes) + " bytes";
        body.clear();
        return false;
      }
      body.append(data, size);
      return true;
    };
    auto res = lease->send(req);
    if (too_large) return failed(*too_large, answer_status);
    if (!res)
      return outcome_for_transport_failure(http::is_timeout(res.error()), httplib::to_string(res.error()),
                                           res.error() == httplib::Error::Connection);
    if (res->status < 200 || res->status >= 300) {
      auto retry_after = parse_retry_after(res->get_header_value("Retry-After"), std::chrono::system_clock::now());
      return outcome_for_status(res->status, retry_after, excerpt(body, 300));
    }
    if (ndjson) {
      reader.finish();
      if (!reader.final_answer()) {
        // Most likely a stream cut short (the gateway died mid-task): worth another attempt.
        GatewayOutcome outcome;
        outcome.http_status = res->status;
        outcome.failure = contract::make_failure(ErrorCode::internal_error, "gateway NDJSON stream ended without a result line");
        return outcome;
      }
      return outcome_from_answer(*reader.final_answer(), res->status);
    }
    auto answer = parse_json_bounded(body, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
    if (!answer) return failed("gateway answer is not usable JSON: " + answer.error().message, res->status);
    return outcome_from_answer(*answer, res->status);
  }

  void cancel(const std::string& task_id) override {
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    auto lease = health_pool_.borrow();
    auto res = lease->Post("/tasks/" + task_id + "/cancel", headers, "", "application/json");
    (void)res;  // best effort: a gateway that does not hear it still ends at its deadline
  }

  bool healthy() override {
    auto lease = health_pool_.borrow();
    auto res = lease->Get("/health");
    return res && res->status == 200;
  }

 private:
  static GatewayOutcome failed(std::string message, int status) {
    GatewayOutcome outcome;
    outcome.http_status = status;
    outcome.failure = malformed_answer(std::move(message));
    return outcome;
  }

  std::string token_;
  http::HttpClientPool pool_;
  http::HttpClientPool health_pool_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_webhook_client(const BridgeConfig& config) { return std::make_unique<WebhookClient>(config); }

}  // namespace rt::bridge
