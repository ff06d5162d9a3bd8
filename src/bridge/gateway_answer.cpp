#include "roundtable/bridge/gateway_answer.hpp"

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {

using nlohmann::json;

contract::TaskFailure malformed_answer(std::string message) {
  auto failure = contract::make_failure(ErrorCode::internal_error, std::move(message));
  failure.retryable = false;
  return failure;
}

GatewayOutcome outcome_from_answer(json answer, int status) {
  GatewayOutcome outcome;
  outcome.http_status = status;
  auto state_field = answer.is_object() ? answer.find("status") : answer.end();
  std::string state = answer.is_object() && state_field != answer.end() && state_field->is_string() ? state_field->get<std::string>() : "";
  if (state == "completed") {
    auto result = contract::parse_task_result(std::move(answer));
    if (result) {
      outcome.completed = true;
      outcome.result = std::move(*result);
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

bool NdjsonReader::feed(const char* data, size_t size) {
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

void NdjsonReader::finish() {
  if (!trim(buffer_).empty()) handle_line(buffer_);
  buffer_.clear();
}

bool NdjsonReader::fail(std::string message) {
  error_ = std::move(message);
  buffer_.clear();
  buffer_.shrink_to_fit();
  return false;
}

void NdjsonReader::handle_line(std::string_view line) {
  if (trim(line).empty()) return;
  auto doc = parse_json_bounded(line, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
  if (!doc || !doc->is_object()) return;
  auto type = doc->find("type");
  if (type == doc->end() || !type->is_string()) return;
  if (*type == "progress" && progress_) progress_(contract::parse_progress(*doc));
  else if (*type == "result") final_ = std::move(*doc);
}

}  // namespace rt::bridge
