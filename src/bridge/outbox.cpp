#include "roundtable/bridge/outbox.hpp"

#include "roundtable/common/json_text.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::bridge {

using nlohmann::json;

namespace {
// The traceparent (and tracestate) header of what is published for a traced task.
nats::Headers trace_headers(const TaskRef* task) {
  nats::Headers headers;
  if (!task || !task->trace.is_object()) return headers;
  for (const char* name : {"traceparent", "tracestate"})
    if (auto it = task->trace.find(name); it != task->trace.end() && it->is_string()) headers.emplace_back(name, it->get<std::string>());
  return headers;
}
}  // namespace

Outbox::Outbox(nats::JetStream& js, std::string fleet, std::string agent, Logger logger)
    : js_(js), fleet_(std::move(fleet)), agent_(std::move(agent)), logger_(std::move(logger)) {}

contract::JsonText Outbox::text_of(const json& payload) {
  contract::JsonText text;
  append_json_value(text.text, payload);
  return text;
}

// What make_envelope and serialize() would write for this payload, in one pass.
Outbox::Enveloped Outbox::envelope(std::string_view type, std::string_view payload_json, const TaskRef* task) const {
  Enveloped out{make_uuid_v4(), {}};
  const std::string timestamp = format_rfc3339(std::chrono::system_clock::now());
  contract::OutgoingHead head{.id = out.id, .type = type, .from = agent_, .timestamp = timestamp, .fleet = &fleet_};
  if (task) {
    if (task->id) head.correlation_id = &*task->id;
    if (task->requester) head.to = &*task->requester;
    head.trace = &task->trace;
    if (task->parent_task_id) head.parent_task_id = &*task->parent_task_id;
  }
  out.body = contract::serialize_outgoing(head, payload_json);
  return out;
}

Result<OutgoingResult> Outbox::prepare_result(const TaskRef& task, std::string_view type, const json& payload) {
  return prepare_result(task, type, text_of(payload));
}

Result<OutgoingResult> Outbox::prepare_result(const TaskRef& task, std::string_view type, const contract::JsonText& payload) {
  if (!task.id) return make_error(ErrorCode::invalid_params, "a result needs a task id");
  auto subject = contract::result_subject(fleet_, task.domain, *task.id);
  if (!subject) return subject.error();
  std::string body = envelope(type, payload.text, &task).body;
  if (body.size() > contract::kMaxResultBytes) {
    auto failure = contract::make_failure(ErrorCode::internal_error, "result of " + std::to_string(body.size()) +
                                                                         " bytes is over the 4 MiB result limit");
    body = envelope(contract::type::task_failed, text_of(contract::to_json(failure)).text, &task).body;
  }
  return OutgoingResult{*task.id, std::move(*subject), std::move(body), trace_headers(&task), std::nullopt};
}

Status Outbox::send_result(OutgoingResult& result) {
  result.ack.reset();
  auto sent = js_.send_acked(result.subject, result.body, "result-" + result.task_id, result.headers);
  if (!sent) return sent.error();
  result.ack.emplace(std::move(*sent));
  return {};
}

Status Outbox::confirm_result(OutgoingResult& result) {
  if (!result.ack) return make_error(ErrorCode::unavailable, "result of " + result.task_id + " was not sent");
  auto ack = result.ack->wait();
  result.ack.reset();
  if (!ack) return ack.error();
  if (ack->duplicate) logger_.info("result.duplicate_suppressed", {{"task_id", result.task_id}});
  return {};
}

void Outbox::publish_event(std::string_view type, const json& payload, const TaskRef* task) {
  send_event(type, text_of(payload).text, task, &nats::JetStream::publish_async);
}

void Outbox::publish_notice(std::string_view type, const json& payload, const TaskRef* task) {
  publish_notice(type, text_of(payload), task);
}

void Outbox::publish_notice(std::string_view type, const contract::JsonText& payload, const TaskRef* task) {
  send_event(type, payload.text, task, &nats::JetStream::publish_unacked);
}

// An event that is not waited for: a failure to send it is logged, never the task's failure.
void Outbox::send_event(std::string_view type, std::string_view payload_json, const TaskRef* task, SendWithoutWaiting send) {
  auto subject = contract::event_subject(fleet_, type);
  if (!subject) {
    logger_.error("event.bad_type", {{"type", std::string(type)}});
    return;
  }
  auto env = envelope(type, payload_json, task);
  if (auto status = (js_.*send)(*subject, env.body, env.id, trace_headers(task)); !status)
    logger_.warn("event.publish_failed", {{"type", std::string(type)}, {"error", status.error().message}});
}

Status Outbox::publish_event_acked(std::string_view type, const json& payload, const TaskRef* task) {
  auto subject = contract::event_subject(fleet_, type);
  if (!subject) return subject.error();
  auto env = envelope(type, text_of(payload).text, task);
  auto ack = js_.publish(*subject, env.body, env.id, trace_headers(task));
  if (!ack) return ack.error();
  return {};
}

Status Outbox::publish_heartbeat(const json& payload) {
  auto subject = contract::heartbeat_subject(fleet_, agent_);
  if (!subject) return subject.error();
  auto env = envelope(contract::type::heartbeat, text_of(payload).text, nullptr);
  auto ack = js_.publish(*subject, env.body, env.id);
  if (!ack) return ack.error();
  return {};
}

Result<bool> Outbox::result_exists(const TaskRef& task) {
  if (!task.id) return false;
  auto subject = contract::result_subject(fleet_, task.domain, *task.id);
  if (!subject) return subject.error();
  auto last = js_.last_message(contract::kResultsStream, *subject);
  if (!last) return last.error();
  return last->has_value();
}

}  // namespace rt::bridge
