// GATEWAY_MODE=webhook: POST the envelope to knight-gateway's /webhook (docs/contract.md §5).
#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = 8u << 20;   // a plain JSON answer, and one NDJSON line
constexpr size_t kMaxStreamBytes = 32u << 20;  // a whole NDJSON answer

// A gateway can answer anything; an answer it should never give is internal_error. Not
// retried: a 2xx answer means the gateway did the work and would most likely answer the same.
contract::TaskFailure malformed_answer(std::string message) {
  auto failure = contract::make_failure(ErrorCode::internal_error, std::move(message));
  failure.retryable = false;
  return failure;
}

// Reads the final answer object: {"status":"completed","result":{...}} or {"status":"failed",...}.
GatewayOutcome outcome_from_answer(const json& answer, int status) {
  GatewayOutcome outcome;
  outcome.http_status = status;
  auto state_field = answer.is_object() ? answer.find("status") : answer.end();
  std::string state = answer.is_object() && state_field != answer.end() && state_field->is_string() ? state_field->get<std::string>() : "";
  if (state == "completed") {
    auto result = contract::parse_task_result(answer);
    if (result) {
      outcome.completed = true;
      outcome.result = *result;
      return outcome;
    }
    outcome.failure = malformed_answer("gateway result unreadable: " + result.error().message);
    return outcome;
  }
  if (state == "failed") {
    auto failure = contract::parse_task_failure(answer);
    outcome.failure = failure ? *failure : malformed_answer("gateway failure unreadable: " + failure.error().message);
    return outcome;
  }
  // An asynchronous receipt ({ok, runId}) or anything else is never a result.
  outcome.failure = malformed_answer("gateway answered 200 without a task result (status must be the string completed or failed)");
  return outcome;
}

// Splits an NDJSON answer into lines as it arrives, holding at most one line (capped) at a time.
class NdjsonReader {
 public:
  explicit NdjsonReader(const ProgressSink& progress) : progress_(progress) {}

  // False once the answer broke a limit (see error()); the caller then stops reading.
  bool feed(const char* data, size_t size) {
    total_ += size;
    if (total_ > kMaxStreamBytes) return fail("gateway NDJSON answer is larger than " + std::to_string(kMaxStreamBytes) + " bytes");
    buffer_.append(data, size);
    size_t start = 0, newline;
    while ((newline = buffer_.find('\n', scanned_)) != std::string::npos) {
      handle_line(std::string_view(buffer_).substr(start, newline - start));
      start = scanned_ = newline + 1;
    }
    buffer_.erase(0, start);
    scanned_ = buffer_.size();  // only new bytes are searched for the next newline
    if (buffer_.size() > kMaxAnswerBytes) return fail("gateway NDJSON line is longer than " + std::to_string(kMaxAnswerBytes) + " bytes");
    return true;
  }
  void finish() {
    if (!trim(buffer_).empty()) handle_line(buffer_);
    buffer_.clear();
  }
  const std::optional<json>& final_answer() const { return final_; }
  const std::optional<std::string>& error() const { return error_; }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    buffer_.clear();
    buffer_.shrink_to_fit();
    return false;
  }
  void handle_line(std::string_view line) {
    if (trim(line).empty()) return;
    auto doc = parse_json_bounded(line, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
    if (!doc || !doc->is_object()) return;
    auto type = doc->find("type");
    if (type == doc->end() || !type->is_string()) return;
    if (*type == "progress" && progress_) progress_(contract::parse_progress(*doc));
    else if (*type == "result") final_ = std::move(*doc);
  }

  const ProgressSink& progress_;
  std::string buffer_;
  size_t scanned_ = 0;
  size_t total_ = 0;
  std::optional<json> final_;
  std::optional<std::string> error_;
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
    int answer_status = 0;
    req.response_handler = [&](const httplib::Response& response) {
      answer_status = response.status;
      ndjson = response.get_header_value("Content-Type").find("application/x-ndjson") != std::string::npos;
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
    auto lease = pool_.borrow();
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
