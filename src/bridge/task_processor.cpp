#include "roundtable/bridge/task_processor.hpp"

#include <algorithm>
#include <utility>

#include "roundtable/bridge/bridge_metrics.hpp"
#include "roundtable/bridge/claim_notice.hpp"
#include "roundtable/common/json_text.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/trace/propagation.hpp"
#include "roundtable/trace/semconv.hpp"

namespace rt::bridge {

using nlohmann::json;
namespace type = contract::type;

namespace {
constexpr size_t kRejectChunkBytes = 512 * 1024;  // base64 of a chunk stays under the 1 MiB event limit
constexpr std::chrono::seconds kMaxRetryAfter{86'400};

// task.claimed's payload (docs/contract.md §4), with its members in the order serialize() writes them.
contract::JsonText claimed_payload(const std::string& agent, int attempt, const std::string& task) {
  contract::JsonText out;
  JsonObjectWriter payload(out.text);
  payload.string("agent", agent);
  payload.integer("attempt", attempt);
  payload.string("message", agent + " claimed " + task);
  payload.string("task", task);
  payload.close();
  return out;
}
}  // namespace

struct TaskProcessor::Validated {
  contract::Envelope envelope;
  contract::TaskRequest request;
  TaskRef ref;
  trace::TraceContext trace;  // this attempt's span: the parent of the gateway call
};

TaskProcessor::TaskProcessor(const BridgeConfig& config, Outbox& outbox, DedupStore& dedup, GatewayClient& gateway,
                             http::MetricsRegistry& metrics, GatewayState& gateway_state, IntakeGate& gate, const Clock& clock,
                             Logger logger, trace::Exporter* spans, CancelWatch* cancels)
    : config_(config), outbox_(outbox), dedup_(dedup), gateway_(gateway), metrics_(metrics), gateway_state_(gateway_state),
      gate_(gate), clock_(clock), logger_(std::move(logger)), spans_(spans), cancels_(cancels) {}

void TaskProcessor::count(const char* outcome_label) { metrics_.add(metric::tasks, 1, {{"outcome", outcome_label}}); }

std::optional<TaskProcessor::Validated> TaskProcessor::validate(HeldTask& task) {
  auto subject = contract::parse_task_subject(task.message().subject());
  std::optional<std::string> domain = subject ? std::optional(subject->domain) : std::nullopt;
  if (!task.envelope()) {
    reject(task, ErrorCode::invalid_params, task.envelope().error().message, domain);
    return std::nullopt;
  }
  const contract::Envelope& env = *task.envelope();
  auto invalid = [&](const std::string& reason) {
    reject(task, ErrorCode::invalid_params, reason, domain);
    return std::nullopt;
  };
  if (!subject) return invalid("subject '" + std::string(task.message().subject()) + "' is not <fleet>.tasks.<domain>.<action>");
  if (env.type != type::task_request) return invalid("message type '" + env.type + "' on a task subject, expected task.request");
  auto request = contract::parse_task_request(env.payload);
  if (!request) return invalid(request.error().message);
  if (request->task != subject->task())
    return invalid("payload task '" + request->task + "' does not match subject task '" + subject->task() + "'");
  if (env.fleet && *env.fleet != config_.fleet) return invalid("envelope fleet '" + *env.fleet + "' is not this fleet '" + config_.fleet + "'");
  if (env.expired(clock_.now())) {
    reject(task, ErrorCode::timeout, "task expired at " + format_rfc3339(*env.expires_at()) + " (ttl " + std::to_string(env.ttl_seconds) + "s)", domain);
    return std::nullopt;
  }
  TaskRef ref{env.id, env.from, subject->domain, nullptr, trace::parent_task_id_of(env.unknown_fields)};
  return Validated{env, *request, std::move(ref), {}};
}

void TaskProcessor::reject(HeldTask& task, ErrorCode code, const std::string& reason, const std::optional<std::string>& domain) {
  std::string_view raw = task.message().data();
  std::optional<std::string> id = task.envelope() ? std::optional(task.envelope()->id) : contract::readable_id(raw);
  TaskRef ref{id, task.envelope() ? std::optional(task.envelope()->from) : std::nullopt, domain.value_or(""), nullptr, std::nullopt};
  logger_.warn("task.rejected", {{"task_id", id.value_or("")}, {"subject", std::string(task.message().subject())}, {"reason", reason}});
  size_t parts = std::max<size_t>(1, (raw.size() + kRejectChunkBytes - 1) / kRejectChunkBytes);
  for (size_t part = 0; part < parts; ++part) {
    json payload = {{"error", std::string(contract::error_code_name(code))},
                    {"reason", reason},
                    {"subject", std::string(task.message().subject())},
                    {"rawBytes", raw.size()},
                    {"raw", base64_encode(raw.substr(part * kRejectChunkBytes, kRejectChunkBytes))},
                    {"attempt", task.attempt()}};
    if (id) payload["taskId"] = *id;
    if (parts > 1) payload["part"] = part + 1, payload["parts"] = parts;
    if (auto status = outbox_.publish_event_acked(type::task_rejected, payload, &ref); !status) {
      // Not stored in the audit stream: hand the message back rather than lose it.
      logger_.error("task.reject_not_stored", {{"task_id", id.value_or("")}, {"error", status.error().message}});
      task.nak(retry_delay(task.attempt(), std::nullopt));
      return;
    }
  }
  if (id && domain) {
    auto failure = contract::make_failure(code, reason, task.attempt());
    failure.retryable = false;
    if (!store_result(task, ref, type::task_failed, contract::to_json(failure))) {
      task.nak(retry_delay(task.attempt(), std::nullopt));
      return;
    }
    outbox_.publish_event(type::task_failed, contract::to_json(failure), &ref);
  }
  task.term();
  count(code == ErrorCode::timeout ? outcome::expired : outcome::rejected);
}

std::unique_ptr<DeferredCompletion> TaskProcessor::process(HeldTask& task) {
  auto started = clock_.steady_now();
  if (task.attempt() > 1) metrics_.add(metric::redeliveries);
  auto validated = validate(task);
  if (!validated) return nullptr;
  Validated& v = *validated;
  if (already_answered(task, v)) {
    task.ack();
    count(outcome::duplicate);
    return nullptr;
  }
  trace::Span span = start_attempt_span(task, v);
  if (task.attempt() > config_.max_deliver) {
    dead_letter_interrupted(task, v);
    span.fail("dead-lettered: the last attempt was interrupted");
    finish_attempt_span(std::move(span));
    return nullptr;
  }
  if (cancels_)
    if (auto cancel = cancels_->lookup(*v.ref.id)) {
      finish_cancelled(task, v, *cancel);
      span.fail("cancelled before the gateway call");
      finish_attempt_span(std::move(span));
      return nullptr;
    }
  auto answer = deliver_when_gateway_takes_it(task, v);
  if (!answer) {
    finish_attempt_span(std::move(span));
    return nullptr;
  }
  mark_attempt_span(span, *answer);
  std::unique_ptr<DeferredCompletion> deferred;
  if (answer->completed) deferred = complete(task, v, std::move(answer->result), started);
  else fail(task, v, std::move(answer->failure));
  finish_attempt_span(std::move(span));
  metrics_.observe(metric::duration, std::chrono::duration<double>(clock_.steady_now() - started).count());
  return deferred;
}

// One span per delivery (attempt): a child of the sender's span from the traceparent header, or
// the root of a new trace. What is published for the task from here on names it (envelope `trace`).
trace::Span TaskProcessor::start_attempt_span(const HeldTask& task, Validated& v) const {
  if (!exporting()) {  // nothing exports it: its ids still travel, its name and attributes would not
    trace::Span span = trace::start_span({}, trace::SpanKind::consumer, task.incoming_trace());
    v.trace = span.context();
    v.ref.trace = trace::trace_field(v.trace);
    return span;
  }
  trace::Span span = trace::process_span(std::string(task.message().subject()), task.incoming_trace());
  span.set("messaging.message.id", *v.ref.id);
  span.set("messaging.consumer.group.name", config_.fleet + "-" + config_.agent + "-" + v.ref.domain);
  span.set("roundtable.task.id", *v.ref.id);
  span.set("roundtable.task", v.request.task);
  span.set("roundtable.attempt", task.attempt());
  span.set("roundtable.agent", config_.agent);
  if (v.ref.parent_task_id) span.set("roundtable.parent_task.id", *v.ref.parent_task_id);
  v.trace = span.context();
  v.ref.trace = trace::trace_field(v.trace);
  return span;
}

void TaskProcessor::mark_attempt_span(trace::Span& span, const GatewayOutcome& answer) {
  if (answer.completed) span.status = trace::StatusCode::ok;
  else span.fail(std::string(contract::error_code_name(answer.failure.error)) + ": " + answer.failure.message);
}

void TaskProcessor::finish_attempt_span(trace::Span span) const {
  trace::end_span(span);
  if (spans_) spans_->record(std::move(span));
}

// Redis's done marker, or, on a redelivery or a copy of a task someone else claimed and may just
// have answered (its done marker follows the stored result), the results stream itself.
bool TaskProcessor::already_answered(const HeldTask& task, const Validated& v) {
  auto claim = dedup_.claim(*v.ref.id);
  if (claim == DedupStore::State::done) {
    logger_.info("task.already_done", {{"task_id", *v.ref.id}});
    return true;
  }
  if (task.attempt() == 1 && claim != DedupStore::State::claimed) return false;
  auto exists = outbox_.result_exists(v.ref);
  if (!exists || !*exists) return false;
  logger_.info("task.already_answered", {{"task_id", *v.ref.id}, {"attempt", task.attempt()}});
  return true;
}

// Waits while the gateway is unreachable or the breaker is open; a connection that could not be
// made is retried within the same delivery, so an outage spends no attempts. nullopt: the task
// was settled here (handed back at shutdown, or expired while waiting).
std::optional<GatewayOutcome> TaskProcessor::deliver_when_gateway_takes_it(HeldTask& task, const Validated& v) {
  ClaimNotice claim(clock_, [&] {
    outbox_.publish_notice(type::task_claimed, claimed_payload(config_.agent, task.attempt(), v.request.task), &v.ref);
    if (logger_.enabled(LogLevel::debug))
      logger_.debug("task.claimed", {{"task_id", *v.ref.id}, {"task", v.request.task}, {"attempt", task.attempt()}});
  });
  while (true) {
    if (!gate_.turn_is_free()) task.before_waiting();
    auto permit = gate_.wait_for_turn();
    if (!permit) {
      task.nak(std::chrono::milliseconds(0));
      return std::nullopt;
    }
    if (v.envelope.expired(clock_.now())) {
      gate_.record_neutral(*permit);
      reject(task, ErrorCode::timeout, "task expired at " + format_rfc3339(*v.envelope.expires_at()) + " while the gateway was unavailable",
             v.ref.domain);
      return std::nullopt;
    }
    SystemTime deadline = clock_.now() + config_.gateway_timeout;
    if (auto expiry = v.envelope.expires_at()) deadline = std::min(deadline, *expiry);
    trace::Span call = exporting() ? trace::http_client_span("POST", config_.gateway_url, v.trace)
                                   : trace::start_span({}, trace::SpanKind::client, v.trace);
    // Within the call's deadline: the wait for the answer to begin must not outlast the call.
    claim.start_call(std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.now()),
                                std::chrono::milliseconds(0), config_.claim_notice_after));
    GatewayRequest request{v.envelope, v.request, task.message().data(), task.attempt(), deadline, trace::headers_for(call.context()),
                           [&claim] { claim.request_sent(); }, [&task] { task.before_waiting(); },
                           [&claim] { claim.publish(); }, claim.after()};
    auto on_progress = [&](const contract::Progress& progress) {
      claim.publish();  // stored before the progress it explains
      outbox_.publish_notice(type::task_progress, contract::to_json(progress), &v.ref);
    };
    gateway_state_.active++;
    std::optional<CancelWatch::Hold> hold;
    if (cancels_) hold.emplace(cancels_->hold(*v.ref.id, [gateway = &gateway_, id = *v.ref.id] { gateway->cancel(id); }));
    GatewayOutcome answer = gateway_.deliver(request, on_progress);
    gateway_state_.active--;
    if (!answer.never_sent) claim.call_ended();
    if (cancels_ && ((hold && hold->cancelled()) || (!answer.completed && answer.failure.error == ErrorCode::cancelled))) {
      gate_.record_neutral(*permit);
      auto cancel = cancels_->lookup(*v.ref.id).value_or(contract::CancelRequest{*v.ref.id, answer.failure.message, "gateway"});
      finish_cancelled(task, v, cancel);
      trace::end_span(call);
      if (spans_) spans_->record(std::move(call));
      return std::nullopt;
    }
    if (answer.http_status != 0) call.set("http.response.status_code", answer.http_status);
    if (!answer.completed) call.fail(std::string(contract::error_code_name(answer.failure.error)) + ": " + answer.failure.message);
    trace::end_span(call);
    if (spans_) spans_->record(std::move(call));
    if (answer.http_status != 0) gateway_state_.auth_ok = !answer.auth_problem;
    if (answer.never_sent && !stopping_) {
      logger_.warn("task.gateway_unreachable", {{"task_id", *v.ref.id}, {"message", answer.failure.message}, {"attempt", task.attempt()}});
      gate_.record_neutral(*permit);
      gate_.set_gateway_reachable(false);
      continue;
    }
    record_for_breaker(*permit, answer);
    return answer;
  }
}

void TaskProcessor::record_for_breaker(const IntakeGate::Permit& permit, const GatewayOutcome& answer) {
  if (answer.completed) return gate_.record_success(permit);
  if (!answer.failure.retryable || answer.auth_problem) return gate_.record_neutral(permit);
  std::optional<std::chrono::milliseconds> retry_after;
  if (answer.failure.retry_after_seconds) retry_after = seconds_to_delay(*answer.failure.retry_after_seconds);
  gate_.record_retryable_failure(permit, retry_after);
}

// The bridge that held the last attempt stopped before settling it (crash, OOM, node loss): the
// server delivers once more than MAX_DELIVER so that it ends here, without another gateway call.
void TaskProcessor::dead_letter_interrupted(HeldTask& task, const Validated& v) {
  auto failure = contract::make_failure(ErrorCode::internal_error,
                                        "attempt " + std::to_string(config_.max_deliver) + " of " + std::to_string(config_.max_deliver) +
                                            " was interrupted before it was answered (the bridge or its gateway stopped); dead-lettered without another gateway call");
  failure.attempt = config_.max_deliver;
  finish_failed(task, v, contract::to_json(failure), true);
}

// Cancelled (docs/contract.md §4 `cancelled`): stored like any final failure, never retried,
// then the task.cancelled event; no further gateway call.
void TaskProcessor::finish_cancelled(HeldTask& task, const Validated& v, const contract::CancelRequest& cancel) {
  std::string message = "cancelled" + (cancel.by.empty() ? std::string() : " by " + cancel.by) +
                        (cancel.reason.empty() ? std::string() : ": " + cancel.reason);
  auto failure = contract::make_failure(ErrorCode::cancelled, message, task.attempt());
  failure.retryable = false;
  json failure_json = contract::to_json(failure);
  if (!store_result(task, v.ref, type::task_failed, failure_json)) {
    task.nak(retry_delay(task.attempt(), std::nullopt));
    return;
  }
  dedup_.mark_done(*v.ref.id);
  outbox_.publish_event(type::task_failed, failure_json, &v.ref);
  outbox_.publish_event(type::task_cancelled, {{"taskId", *v.ref.id}, {"reason", cancel.reason}, {"by", cancel.by},
                                               {"task", v.request.task}, {"attempt", task.attempt()}}, &v.ref);
  logger_.info("task.cancelled", {{"task_id", *v.ref.id}, {"by", cancel.by}, {"reason", cancel.reason}});
  task.ack();
  count(outcome::failed);
}

// The result is sent and the task settled once the stream confirms it: here at once when the
// result could not be sent, else by the worker (settle).
std::unique_ptr<DeferredCompletion> TaskProcessor::complete(HeldTask& task, const Validated& v, contract::TaskResult result,
                                                            std::chrono::steady_clock::time_point started) {
  result.metadata.attempt = task.attempt();
  if (result.metadata.duration_ms == 0)
    result.metadata.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started).count();
  auto completion = std::make_unique<DeferredCompletion>();
  completion->task_name = v.request.task;
  completion->duration_ms = result.metadata.duration_ms;
  auto outgoing = outbox_.prepare_result(v.ref, type::task_result, contract::JsonText{contract::to_json_text(result)});
  if (!outgoing) {
    logger_.error("result.unsendable", {{"task_id", *v.ref.id}, {"error", outgoing.error().message}});
    task.nak(retry_delay(task.attempt(), std::nullopt));
    return nullptr;
  }
  completion->result = std::move(*outgoing);
  if (auto sent = outbox_.send_result(completion->result); !sent) {
    logger_.warn("result.publish_failed", {{"task_id", *v.ref.id}, {"error", sent.error().message}});
    settle(task, *completion, true);  // nothing to confirm: stored again, or handed back
    return nullptr;
  }
  return completion;
}

void TaskProcessor::fail(HeldTask& task, const Validated& v, contract::TaskFailure failure) {
  failure.attempt = task.attempt();
  bool last_attempt = task.attempt() >= config_.max_deliver;
  json failure_json = contract::to_json(failure);
  logger_.warn("task.gateway_failed", {{"task_id", *v.ref.id}, {"error", failure_json["error"]}, {"message", failure.message},
                                       {"attempt", task.attempt()}, {"retryable", failure.retryable}});
  if (failure.retryable && !last_attempt) {
    auto delay = retry_delay(task.attempt(), failure.retry_after_seconds);
    outbox_.publish_event(type::task_retrying, {{"attempt", task.attempt()}, {"error", failure_json["error"]},
                                                {"message", failure.message}, {"retryInMs", delay.count()}}, &v.ref);
    task.nak(delay);
    count(outcome::retried);
    return;
  }
  finish_failed(task, v, failure_json, failure.retryable);
}

// A final failure: stored as the task's result first, then the events, then the message retired.
void TaskProcessor::finish_failed(HeldTask& task, const Validated& v, const json& failure_json, bool dead_letter) {
  if (!store_result(task, v.ref, type::task_failed, failure_json)) {
    task.nak(retry_delay(task.attempt(), std::nullopt));
    return;
  }
  dedup_.mark_done(*v.ref.id);
  outbox_.publish_event(type::task_failed, failure_json, &v.ref);
  if (dead_letter) {
    outbox_.publish_event(type::task_deadletter, {{"attempts", std::min(task.attempt(), config_.max_deliver)}, {"error", failure_json["error"]},
                                                  {"message", failure_json["message"]}, {"task", v.request.task},
                                                  {"request", task.full_envelope_json()}}, &v.ref);
    logger_.warn("task.deadlettered", {{"task_id", *v.ref.id}, {"task", v.request.task}, {"attempt", task.attempt()},
                                       {"error", failure_json.value("error", "")}, {"message", failure_json.value("message", "")}});
    count(outcome::deadlettered);
  } else {
    count(outcome::failed);
  }
  task.term();
}

// Retry-After comes from outside: clamped to a day so the conversion to ms cannot overflow.
std::chrono::milliseconds TaskProcessor::seconds_to_delay(int64_t seconds) {
  return std::chrono::seconds(std::clamp<int64_t>(seconds, 0, kMaxRetryAfter.count()));
}

std::chrono::milliseconds TaskProcessor::retry_delay(int attempt, const std::optional<int64_t>& retry_after) const {
  if (retry_after) return seconds_to_delay(*retry_after);
  size_t index = std::min<size_t>(static_cast<size_t>(std::max(attempt, 1) - 1), config_.backoff.size() - 1);
  return config_.backoff[index];
}

}  // namespace rt::bridge
