#include "roundtable/nats/task_client.hpp"

#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/cancel_publish.hpp"

namespace rt::nats {

using nlohmann::json;

namespace {
// Results come from any knight on the bus: a field of the wrong type reads as the fallback
// (json::value would throw type_error and take the lead down).
std::string text_field(const json& object, const char* key, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}
const json& object_field(const json& object, const char* key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}
}  // namespace

std::string TaskAnswer::content() const {
  const json& payload = object_field(envelope, "payload");
  if (completed) return text_field(object_field(payload, "result"), "content", "");
  if (!answered) return "";
  return text_field(payload, "error", "internal_error") + ": " + text_field(payload, "message", "");
}

std::string TaskAnswer::error_code() const {
  if (completed) return "";
  if (!answered) return "timeout";
  return text_field(object_field(envelope, "payload"), "error", "internal_error");
}

TaskClient::TaskClient(Connection& connection, JetStream& js, std::string fleet, std::string from)
    : connection_(connection), reconnects_at_start_(connection.reconnects()), js_(js), fleet_(std::move(fleet)), from_(std::move(from)) {
  auto sub = connection_.subscribe(fleet_ + ".results.>", [this](Message msg) {
    auto parsed = parse_json_bounded(msg.data());
    if (!parsed) return;
    json doc = std::move(*parsed);
    if (!doc.is_object() || !doc.contains("correlationId") || !doc["correlationId"].is_string()) return;
    std::lock_guard lock(mutex_);
    results_[doc["correlationId"].get<std::string>()] = {doc, std::chrono::steady_clock::now()};
    arrived_.notify_all();
  });
  if (sub) subscription_ = std::move(*sub);
  connection_.flush(std::chrono::seconds(5));
}

Result<std::string> TaskClient::send(const TaskOrder& order, std::optional<std::string> correlation_id, std::chrono::seconds ttl) {
  SendOptions options;
  options.correlation_id = std::move(correlation_id);
  options.ttl = ttl;
  return send(order, options);
}

Result<std::string> TaskClient::send(const TaskOrder& order, const SendOptions& options) {
  auto name = contract::parse_task_name(order.task);
  if (!name) return make_error(ErrorCode::invalid_params, "task '" + order.task + "' is not <domain>.<action>");
  auto subject = contract::task_subject(fleet_, name->domain, name->action);
  if (!subject) return subject.error();
  contract::TaskRequest request{order.task, order.params, "markdown", order.max_tokens};
  auto env = contract::make_envelope(std::string(contract::type::task_request), from_, contract::to_json(request),
                                     std::chrono::system_clock::now());
  env.fleet = fleet_;
  env.to = order.to;
  env.priority = order.priority;
  env.ttl_seconds = options.ttl.count();
  env.correlation_id = options.correlation_id;
  if (options.envelope_fields.is_object())
    for (const auto& [key, value] : options.envelope_fields.items()) env.unknown_fields[key] = value;
  {
    std::lock_guard lock(mutex_);
    sent_[env.id] = {order, std::chrono::steady_clock::now()};
  }
  auto ack = js_.publish(*subject, contract::serialize(env), env.id, options.headers);
  if (!ack) return ack.error();
  return env.id;
}

Status TaskClient::cancel(const std::string& task_id, const std::string& reason) {
  auto ack = publish_cancel(js_, fleet_, from_, {task_id, reason, from_});
  if (!ack) return ack.error();
  return {};
}

std::vector<TaskAnswer> TaskClient::wait(const std::vector<std::string>& ids, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  arrived_.wait_until(lock, deadline, [&] {
    for (const auto& id : ids)
      if (!results_.count(id)) return false;
    return true;
  });
  std::vector<TaskAnswer> answers;
  for (const auto& id : ids) {
    TaskAnswer answer;
    answer.task_id = id;
    auto sent = sent_.find(id);
    if (sent != sent_.end()) answer.task = sent->second.order.task, answer.to = sent->second.order.to;
    auto result = results_.find(id);
    if (result != results_.end()) {
      answer.answered = true;
      answer.envelope = result->second.first;
      answer.agent = text_field(answer.envelope, "from", "");
      answer.completed = text_field(answer.envelope, "type", "") == contract::type::task_result &&
                         text_field(object_field(answer.envelope, "payload"), "status", "") == "completed";
      if (sent != sent_.end())
        answer.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(result->second.second - sent->second.at);
    } else if (sent != sent_.end()) {
      answer.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent->second.at);
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

}  // namespace rt::nats
