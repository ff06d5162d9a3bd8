#pragma once
// The seam between the bridge and whatever thinks: knight-gateway (webhook) or an
// OpenAI-compatible gateway such as OpenClaw (docs/contract.md §5).
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/bridge/config.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/http/base_url.hpp"

namespace rt::bridge {

struct GatewayRequest {
  const contract::Envelope& envelope;  // of the payload, only what the bridge reads (contract/task_view.hpp)
  const contract::TaskRequest& task;   // params: their type only; parse them from `raw` when needed
  std::string_view raw;  // the envelope exactly as received (the only copy of its payload)
  int attempt = 1;
  SystemTime deadline;
  std::vector<std::pair<std::string, std::string>> trace_headers = {};  // traceparent (+ tracestate) for the gateway
  // Called when the request has been written to the gateway, before its answer is awaited: what
  // the bridge publishes about the call then overlaps the gateway's work instead of delaying it.
  std::function<void()> on_sent = {};
  // Called when the client is about to wait for something of unknown length: an answer that has
  // not begun within kAnswerGrace of sending, a streamed (NDJSON) answer, a new connection or a
  // body too large to be written at once (answer_wait.hpp). It may come more than once. The
  // bridge hands over its intake here rather than before the call, so a fast answer costs no
  // other thread a wake-up (docs/performance.md).
  std::function<void()> on_waiting = {};
  // Called once when no answer has begun within `slow_after` of the request being written (not
  // at all when slow_after is 0): the bridge's task.claimed for a call that takes its time.
  std::function<void()> on_slow = {};
  std::chrono::milliseconds slow_after{0};
};

struct GatewayOutcome {
  bool completed = false;
  contract::TaskResult result;    // when completed
  contract::TaskFailure failure;  // when not: code, message, retryable, retryAfterSeconds
  bool auth_problem = false;      // 401/403: the bridge is misconfigured and not ready
  int http_status = 0;            // 0 when no HTTP answer came
  bool never_sent = false;        // no connection: the same delivery may be retried, no attempt spent
};

using ProgressSink = std::function<void(const contract::Progress&)>;

class GatewayClient {
 public:
  virtual ~GatewayClient() = default;
  // Thread-safe; blocks until the gateway answers, fails, or the timeout passes.
  virtual GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink& progress) = 0;
  // True when the gateway answers its health check.
  virtual bool healthy() = 0;
  // Why the gateway cannot take tasks, when the client knows (shown in /readyz).
  virtual std::optional<std::string> not_ready_reason() { return std::nullopt; }
  // Asks the gateway to stop working on a task it is running (docs/contract.md §5
  // POST /tasks/<id>/cancel); its deliver() then returns soon. No-op when the gateway cannot.
  virtual void cancel(const std::string& /*task_id*/) {}
};

// Gives visit(name, value) the headers of a gateway call (docs/contract.md §5): `fixed` first,
// then X-Roundtable-Attempt, X-Roundtable-Deadline, Authorization (when there is a token) and the
// trace headers. A value holding CR, LF or NUL (it could end the head early) is left out.
template <typename Visit>
void each_call_header(const GatewayRequest& request, const std::string& token,
                      std::initializer_list<std::pair<std::string_view, std::string_view>> fixed, Visit&& visit) {
  auto safe = [&](std::string_view name, std::string_view value) {
    if (value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos) visit(name, value);
  };
  for (const auto& [name, value] : fixed) safe(name, value);
  safe("X-Roundtable-Attempt", std::to_string(request.attempt));
  safe("X-Roundtable-Deadline", format_rfc3339(request.deadline));
  if (!token.empty()) safe("Authorization", "Bearer " + token);
  for (const auto& [name, value] : request.trace_headers) safe(name, value);
}

// GATEWAY_URL as where to connect and the path the gateway's routes hang under (`<GATEWAY_URL>/webhook`).
inline http::BaseUrl gateway_base(const BridgeConfig& config) {
  return http::split_base_url(config.gateway_url).value_or(http::BaseUrl{config.gateway_url, ""});
}

std::unique_ptr<GatewayClient> make_webhook_client(const BridgeConfig& config);
std::unique_ptr<GatewayClient> make_openai_client(const BridgeConfig& config);

// docs/contract.md §5 status mapping for a non-2xx answer.
GatewayOutcome outcome_for_status(int status, std::optional<int64_t> retry_after_seconds, std::string detail);
// No HTTP answer: a read or write that timed out is `timeout`, anything else (refused, reset)
// is `gateway_unavailable`; both retryable. `never_sent`: the connection could not be made, so
// the gateway cannot have seen the task.
GatewayOutcome outcome_for_transport_failure(bool timed_out, const std::string& detail, bool never_sent = false);
// Retry-After: delta-seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<int64_t> parse_retry_after(std::string_view value, SystemTime now);
// The task rendered as one user message, for chat-completion gateways.
std::string render_task_text(const contract::TaskRequest& task);
// The chat-completion request: {"max_tokens"?,"messages":[{"content":render_task_text(task),
// "role":"user"}],"model","user"} byte for byte as nlohmann's dump writes it, in one pass (the
// text and the params' dump never exist as strings of their own: a 512 KiB task costs one body).
// expected_bytes: capacity to start with (the task's size: the body is about as large).
std::string chat_request_body(const std::string& model, const std::string& user, const contract::TaskRequest& task,
                              size_t expected_bytes = 0);

}  // namespace rt::bridge
