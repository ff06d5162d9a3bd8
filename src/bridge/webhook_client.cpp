// GATEWAY_MODE=webhook: POST the envelope to knight-gateway's /webhook (CONTRACT §5).
#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = 8u << 20;

// Reads the final answer object: {"status":"completed","result":{...}} or {"status":"failed",...}.
GatewayOutcome outcome_from_answer(const json& answer, int status) {
  GatewayOutcome outcome;
  outcome.http_status = status;
  std::string state = answer.is_object() ? answer.value("status", "") : "";
  if (state == "completed") {
    auto result = contract::parse_task_result(answer);
    if (result) {
      outcome.completed = true;
      outcome.result = *result;
      return outcome;
    }
    outcome.failure = contract::make_failure(ErrorCode::internal_error, "gateway result unreadable: " + result.error().message);
    return outcome;
  }
  if (state == "failed") {
    auto failure = contract::parse_task_failure(answer);
    outcome.failure = failure ? *failure : contract::make_failure(ErrorCode::internal_error, "gateway failure unreadable");
    return outcome;
  }
  // An asynchronous receipt ({ok, runId}) or anything else is never a result.
  outcome.failure = contract::make_failure(ErrorCode::internal_error,
                                           "gateway answered 200 without a task result (status must be completed or failed)");
  return outcome;
}

class NdjsonReader {
 public:
  explicit NdjsonReader(const ProgressSink& progress) : progress_(progress) {}

  void feed(const char* data, size_t size) {
    buffer_.append(data, size);
    size_t newline;
    while ((newline = buffer_.find('\n')) != std::string::npos) {
      handle_line(buffer_.substr(0, newline));
      buffer_.erase(0, newline + 1);
    }
  }
  void finish() {
    if (!trim(buffer_).empty()) handle_line(buffer_);
    buffer_.clear();
  }
  const std::optional<json>& final_answer() const { return final_; }

 private:
  void handle_line(const std::string& line) {
    if (trim(line).empty()) return;
    json doc = json::parse(line, nullptr, false);
    if (!doc.is_object()) return;
    std::string type = doc.value("type", "");
    if (type == "progress" && progress_) progress_(contract::parse_progress(doc));
    else if (type == "result") final_ = doc;
  }

  const ProgressSink& progress_;
  std::string buffer_;
  std::optional<json> final_;
};

class WebhookClient final : public GatewayClient {
 public:
  explicit WebhookClient(const BridgeConfig& config)
      : token_(config.gateway_token), pool_(config.gateway_url, config.gateway_timeout), health_pool_(config.gateway_url, std::chrono::seconds(2)) {}

  GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink& progress) override {
    httplib::Request req;
    req.method = "POST";
    req.path = "/webhook";
    req.body = std::string(request.raw);
    req.set_header("Content-Type", "application/json");
    req.set_header("Accept", "application/x-ndjson, application/json");
    req.set_header("X-Roundtable-Attempt", std::to_string(request.attempt));
    req.set_header("X-Roundtable-Deadline", format_rfc3339(request.deadline));
    if (!token_.empty()) req.set_header("Authorization", "Bearer " + token_);

    bool ndjson = false;
    std::string body;
    NdjsonReader reader(progress);
    req.response_handler = [&](const httplib::Response& response) {
      ndjson = response.get_header_value("Content-Type").find("application/x-ndjson") != std::string::npos;
      return true;
    };
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      if (ndjson) reader.feed(data, size);
      else body.append(data, size);
      return body.size() <= kMaxAnswerBytes;
    };
    auto lease = pool_.borrow();
    auto res = lease->send(req);
    if (!res) return outcome_for_transport_failure(http::is_timeout(res.error()), httplib::to_string(res.error()));
    if (res->status < 200 || res->status >= 300) {
      auto retry_after = parse_retry_after(res->get_header_value("Retry-After"), std::chrono::system_clock::now());
      return outcome_for_status(res->status, retry_after, body.substr(0, 300));
    }
    if (ndjson) {
      reader.finish();
      if (!reader.final_answer())
        return failed(ErrorCode::internal_error, "gateway NDJSON stream ended without a result line", res->status);
      return outcome_from_answer(*reader.final_answer(), res->status);
    }
    json answer = json::parse(body, nullptr, false);
    if (answer.is_discarded()) return failed(ErrorCode::internal_error, "gateway answer is not JSON", res->status);
    return outcome_from_answer(answer, res->status);
  }

  bool healthy() override {
    auto lease = health_pool_.borrow();
    auto res = lease->Get("/health");
    return res && res->status == 200;
  }

 private:
  static GatewayOutcome failed(ErrorCode code, std::string message, int status) {
    GatewayOutcome outcome;
    outcome.http_status = status;
    outcome.failure = contract::make_failure(code, std::move(message));
    return outcome;
  }

  std::string token_;
  http::HttpClientPool pool_;
  http::HttpClientPool health_pool_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_webhook_client(const BridgeConfig& config) { return std::make_unique<WebhookClient>(config); }

}  // namespace rt::bridge
