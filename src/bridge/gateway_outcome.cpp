#include <algorithm>
#include <ctime>

#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {

GatewayOutcome outcome_for_status(int status, std::optional<int64_t> retry_after_seconds, std::string detail) {
  GatewayOutcome outcome;
  outcome.http_status = status;
  std::string message = "gateway answered HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail);
  if (status == 400 || status == 404 || status == 413 || status == 422) {
    outcome.failure = contract::TaskFailure{ErrorCode::invalid_params, message, false, std::nullopt, 1};
  } else if (status == 401 || status == 403) {
    outcome.failure = contract::TaskFailure{ErrorCode::gateway_unavailable, message + " (check GATEWAY_TOKEN)", true, std::nullopt, 1};
    outcome.auth_problem = true;
  } else if (status == 408) {
    outcome.failure = contract::TaskFailure{ErrorCode::timeout, message, true, retry_after_seconds, 1};
  } else if (status == 429) {
    outcome.failure = contract::TaskFailure{ErrorCode::rate_limited, message, true, retry_after_seconds, 1};
  } else if (status >= 500) {
    outcome.failure = contract::TaskFailure{ErrorCode::gateway_unavailable, message, true, retry_after_seconds, 1};
  } else {
    outcome.failure = contract::TaskFailure{ErrorCode::internal_error, message, true, retry_after_seconds, 1};
  }
  return outcome;
}

GatewayOutcome outcome_for_transport_failure(bool timed_out, const std::string& detail, bool never_sent) {
  GatewayOutcome outcome;
  outcome.never_sent = never_sent;
  outcome.failure = contract::make_failure(timed_out ? ErrorCode::timeout : ErrorCode::gateway_unavailable,
                                           std::string("gateway ") + (timed_out ? "did not answer in time: " : "unreachable: ") + detail);
  return outcome;
}

std::optional<int64_t> parse_retry_after(std::string_view value, SystemTime now) {
  // From outside: clamped to [0, a day], and computed in seconds, never on the nanosecond clock,
  // so a far-future date cannot overflow.
  constexpr int64_t kMax = contract::kMaxRetryAfterSeconds;
  std::string text = trim(value);
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 9) return std::nullopt;
    return std::min<int64_t>(std::stoll(text), kMax);
  }
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const int64_t when = timegm(&tm);
  const int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (when <= now_seconds) return 0;
  return std::min<int64_t>(when - now_seconds, kMax);
}

std::string render_task_text(const contract::TaskRequest& task) {
  std::string text = "Task: " + task.task + "\n";
  if (!task.params.empty()) text += "Parameters: " + task.params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  text += "Respond in " + task.response_format + ".";
  if (task.max_tokens) text += " Keep the answer under " + std::to_string(*task.max_tokens) + " tokens.";
  return text;
}

}  // namespace rt::bridge
