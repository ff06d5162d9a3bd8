// The dashboard's tasks: a record per task id built from its request, its lifecycle events
// (docs/contract.md §1, §4) and its result, bounded in number and in events per task. A task's
// times are when its messages arrived: envelope timestamps have whole seconds, too coarse for a
// waterfall, and arrival times share one clock whatever the knights' clocks say.
#include <algorithm>

#include "roundtable/cli/dashboard/fleet_state.hpp"
#include "roundtable/common/json_parse.hpp"

namespace rt::cli::dashboard {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

int64_t number_of(const json& doc, const char* key, int64_t lo, int64_t hi) {
  auto it = doc.find(key);
  return it == doc.end() ? 0 : clamped_integer(*it, lo, hi).value_or(0);
}

// Later states win; among the unfinished (running, retrying) the latest event does.
int rank(const std::string& status) {
  if (status == "queued") return 0;
  if (status == "running" || status == "retrying") return 1;
  if (status == "deadletter") return 3;
  return 2;  // completed, failed, rejected
}

std::string first_line(const std::string& text) {
  auto start = text.find_first_not_of(" \n\r\t#");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find('\n', start) - start);
}

std::optional<SystemTime> time_of(const json& env) { return parse_rfc3339(text_of(env, "timestamp")); }

}  // namespace

TaskView& FleetState::task(const std::string& id) {
  auto it = tasks_.find(id);
  if (it != tasks_.end()) return it->second;
  while (tasks_.size() >= limits_.max_tasks && !task_order_.empty()) {
    tasks_.erase(task_order_.front());
    task_order_.pop_front();
  }
  task_order_.push_back(id);
  TaskView& t = tasks_[id];
  t.id = id;
  return t;
}

void FleetState::add_event(TaskView& t, TaskEvent event) {
  event.text = cap(std::move(event.text));
  if (t.events.size() >= limits_.max_events_per_task) {
    // Keep the first (request, claim) and the latest: drop the oldest progress in between.
    t.events.erase(t.events.begin() + static_cast<long>(limits_.max_events_per_task / 4));
  }
  auto at = std::upper_bound(t.events.begin(), t.events.end(), event.at,
                             [](SystemTime when, const TaskEvent& e) { return when < e.at; });
  t.events.insert(at, std::move(event));
}

void FleetState::set_status(TaskView& t, const std::string& status) {
  if (rank(status) >= rank(t.status)) t.status = status;
}

void FleetState::on_request(const json& env, SystemTime now) {
  std::string id = text_of(env, "id");
  if (id.empty() || id.size() > 128 || text_of(env, "type") != "task.request") return;
  TaskView& t = task(id);
  const json payload = env.contains("payload") && env["payload"].is_object() ? env["payload"] : json::object();
  t.task = cap(text_of(payload, "task"));
  t.from = cap(text_of(env, "from"));
  t.to = cap(text_of(env, "to"));
  t.priority = cap(text_of(env, "priority"));
  t.parent = cap(text_of(env, "correlationId"));
  t.requested = now;
  add_event(t, {"task.request", *t.requested, 0, t.from, "sent by " + t.from + (t.priority.empty() ? "" : " (" + t.priority + ")")});
  emit_task(t);
}

void FleetState::on_event(const std::string& type, const json& env, SystemTime now) {
  if (type.rfind("knight.", 0) == 0) {
    const json payload = env.contains("payload") && env["payload"].is_object() ? env["payload"] : json::object();
    std::string agent = text_of(payload, "agent");
    if (agent.empty()) agent = text_of(env, "from");
    KnightView* k = knight(agent);
    if (!k) return;
    if (type == "knight.offline") {
      k->offline_at = time_of(env).value_or(now);
      std::string reason = text_of(payload, "reason");
      mark_down(*k, "offline", "offline: " + (reason.empty() ? std::string("shutdown") : reason));
      emit_knight(*k, now);
    }
    return;
  }
  std::string id = text_of(env, "correlationId");
  const json payload = env.contains("payload") && env["payload"].is_object() ? env["payload"] : json::object();
  if (id.empty()) id = text_of(payload, "taskId");
  if (id.empty() || id.size() > 128) return;
  TaskView& t = task(id);
  TaskEvent e{type, now, number_of(payload, "attempt", 0, 1000000), cap(text_of(env, "from")), ""};
  if (t.to.empty()) t.to = cap(text_of(env, "to"));
  std::string message = text_of(payload, "message");
  std::string error = text_of(payload, "error");
  if (type == "task.claimed") {
    std::string agent = text_of(payload, "agent");
    if (!agent.empty()) e.agent = cap(agent);
    t.agent = e.agent;
    if (!t.claimed) t.claimed = e.at;
    set_status(t, "running");
    e.text = message;
    if (t.task.empty()) {  // "<agent> claimed <domain>.<action>"
      auto word = message.rfind(' ');
      if (word != std::string::npos && message.find('.', word) != std::string::npos) t.task = cap(message.substr(word + 1));
    }
  } else if (type == "task.progress") {
    e.text = std::to_string(number_of(payload, "percent", 0, 100)) + "% " + message;
  } else if (type == "task.retrying") {
    set_status(t, "retrying");
    t.error = cap(error), t.reason = cap(message);
    e.text = error + ": " + message + " (again in " + std::to_string(number_of(payload, "retryInMs", 0, int64_t{1} << 40)) + " ms)";
  } else if (type == "task.failed" || type == "task.rejected" || type == "task.deadletter") {
    set_status(t, type == "task.failed" ? "failed" : type == "task.rejected" ? "rejected" : "deadletter");
    t.error = cap(error);
    std::string reason = type == "task.rejected" ? text_of(payload, "reason") : message;
    if (!reason.empty()) t.reason = cap(reason);
    if (!t.finished) t.finished = e.at;
    if (type == "task.deadletter") {
      t.attempts = std::max(t.attempts, number_of(payload, "attempts", 0, 1000000));
      if (t.task.empty()) t.task = cap(text_of(payload, "task"));
    }
    e.text = error + ": " + reason;
  } else {
    e.text = message;
  }
  if (t.agent.empty()) t.agent = e.agent;
  t.attempts = std::max(t.attempts, e.attempt);
  add_event(t, std::move(e));
  emit_task(t);
}

void FleetState::on_result(const json& env, SystemTime now) {
  std::string id = text_of(env, "correlationId");
  if (id.empty() || id.size() > 128) return;
  TaskView& t = task(id);
  const json payload = env.contains("payload") && env["payload"].is_object() ? env["payload"] : json::object();
  std::string type = text_of(env, "type");
  SystemTime at = now;
  t.agent = cap(text_of(env, "from"));
  if (!t.finished) t.finished = at;
  TaskEvent e{type, at, number_of(payload, "attempt", 0, 1000000), t.agent, ""};
  if (type == "task.result" && text_of(payload, "status") != "failed") {
    set_status(t, "completed");
    const json result = payload.contains("result") && payload["result"].is_object() ? payload["result"] : json::object();
    const json meta = result.contains("metadata") && result["metadata"].is_object() ? result["metadata"] : json::object();
    t.summary = cap(first_line(text_of(result, "content")));
    t.model = cap(text_of(meta, "model"));
    t.input_tokens = number_of(meta, "inputTokens", 0, 1000000000000);
    t.output_tokens = number_of(meta, "outputTokens", 0, 1000000000000);
    if (auto cost = meta.find("costUsd"); cost != meta.end() && cost->is_number()) t.cost_usd = std::max(0.0, cost->get<double>());
    t.has_usage = true;
    if (meta.contains("durationMs")) t.duration_ms = number_of(meta, "durationMs", 0, int64_t{30} * 24 * 3600 * 1000);
    e.attempt = number_of(meta, "attempt", 0, 1000000);
    e.text = t.summary;
    auto micro = static_cast<int64_t>(t.cost_usd * 1e6 + 0.5);
    if (micro > 0) seen_spend_[format_rfc3339(at).substr(0, 10)][t.agent] += micro;
  } else {
    set_status(t, "failed");
    t.error = cap(text_of(payload, "error"));
    t.reason = cap(text_of(payload, "message"));
    e.text = t.error + ": " + t.reason;
  }
  if (t.duration_ms < 0) {
    auto start = t.claimed ? t.claimed : t.requested;
    if (start) t.duration_ms = std::max<int64_t>(0, std::chrono::duration_cast<milliseconds>(at - *start).count());
  }
  t.attempts = std::max(t.attempts, e.attempt);
  add_event(t, std::move(e));
  emit_task(t);
}

std::optional<json> FleetState::trace(const std::string& task_id) const {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  json events = json::array();
  for (const auto& e : it->second.events) events.push_back(event_json(e));
  json children = json::array();
  for (const auto& id : task_order_)
    if (auto child = tasks_.find(id); child != tasks_.end() && child->second.parent == task_id) {
      json c = task_json(child->second);
      json child_events = json::array();
      for (const auto& e : child->second.events) child_events.push_back(event_json(e));
      c["events"] = child_events;
      children.push_back(c);
    }
  return json{{"task", task_json(it->second)}, {"events", events}, {"children", children}};
}

json event_json(const TaskEvent& e) {
  return {{"type", e.type}, {"atMs", epoch_ms(e.at)}, {"attempt", e.attempt}, {"agent", e.agent}, {"text", e.text}};
}

json task_json(const TaskView& t) {
  auto ms = [](const std::optional<SystemTime>& at) { return at ? json(epoch_ms(*at)) : json(); };
  json out = {{"id", t.id},         {"task", t.task},          {"from", t.from},       {"to", t.to},
              {"agent", t.agent},   {"priority", t.priority},  {"parent", t.parent},   {"status", t.status},
              {"attempts", t.attempts}, {"requestedMs", ms(t.requested)}, {"claimedMs", ms(t.claimed)},
              {"finishedMs", ms(t.finished)}, {"model", t.model}, {"error", t.error}, {"reason", t.reason},
              {"summary", t.summary}, {"updated", t.updated}};
  out["durationMs"] = t.duration_ms >= 0 ? json(t.duration_ms) : json();
  if (t.has_usage) {
    out["inputTokens"] = t.input_tokens;
    out["outputTokens"] = t.output_tokens;
    out["tokens"] = t.input_tokens + t.output_tokens;
    out["costUsd"] = t.cost_usd;
  }
  return out;
}

}  // namespace rt::cli::dashboard
