#include "roundtable/bridge/webhook_answer.hpp"

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {
namespace {

GatewayOutcome malformed(std::string message, int status) {
  GatewayOutcome outcome;
  outcome.http_status = status;
  outcome.failure = malformed_answer(std::move(message));
  return outcome;
}

}  // namespace

void WebhookAnswer::on_head(int status, std::string_view content_type) {
  status_ = status;
  ndjson_ = content_type.find("application/x-ndjson") != std::string_view::npos;
  if (ndjson_ && request_.on_waiting) request_.on_waiting();  // progress lines: the answer takes its time
}

bool WebhookAnswer::on_body(const char* data, size_t size) {
  if (ndjson_) {
    if (!reader_.feed(data, size)) too_large_ = reader_.error();
    return !too_large_;
  }
  if (body_.size() + size > kMaxAnswerBytes) {
    too_large_ = "gateway answer is larger than " + std::to_string(kMaxAnswerBytes) + " bytes";
    body_.clear();
    return false;
  }
  body_.append(data, size);
  return true;
}

std::optional<GatewayOutcome> WebhookAnswer::refused() const {
  if (!too_large_) return std::nullopt;
  return malformed(*too_large_, status_);
}

GatewayOutcome WebhookAnswer::outcome(std::string_view retry_after) {
  if (auto broke = refused()) return *broke;
  if (status_ < 200 || status_ >= 300)
    return outcome_for_status(status_, parse_retry_after(retry_after, std::chrono::system_clock::now()), excerpt(body_, 300));
  if (ndjson_) {
    reader_.finish();
    if (!reader_.final_answer()) {
      // Most likely a stream cut short (the gateway died mid-task): worth another attempt.
      GatewayOutcome outcome;
      outcome.http_status = status_;
      outcome.failure = contract::make_failure(ErrorCode::internal_error, "gateway NDJSON stream ended without a result line");
      return outcome;
    }
    return outcome_from_answer(reader_.take_final_answer(), status_);
  }
  auto answer = parse_json_bounded(body_, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
  if (!answer) return malformed("gateway answer is not usable JSON: " + answer.error().message, status_);
  return outcome_from_answer(std::move(*answer), status_);
}

}  // namespace rt::bridge
