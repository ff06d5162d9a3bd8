#include "roundtable/contract/subjects.hpp"

#include "roundtable/common/strings.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::contract {
namespace {

Status require_identifier(std::string_view what, std::string_view value) {
  if (is_identifier(value)) return {};
  return make_error(ErrorCode::invalid_params,
                    std::string(what) + " '" + std::string(value) + "' is not an identifier ([a-z0-9][a-z0-9-]*, at most 64)");
}

template <typename... Parts>
Result<std::string> joined(std::initializer_list<std::pair<std::string_view, std::string_view>> checks, Parts... parts) {
  for (const auto& [what, value] : checks)
    if (auto status = require_identifier(what, value); !status) return status.error();
  std::string out;
  ((out += (out.empty() ? "" : "."), out += parts), ...);
  return out;
}

bool is_token(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c == '.' || c == '*' || c == '>' || c <= ' ' || c == 0x7f) return false;
  return true;
}

}  // namespace

Result<std::string> task_subject(std::string_view fleet, std::string_view domain, std::string_view action) {
  return joined({{"fleet", fleet}, {"domain", domain}, {"action", action}}, fleet, std::string_view("tasks"), domain, action);
}

Result<std::string> result_subject(std::string_view fleet, std::string_view domain, std::string_view task_id) {
  if (!is_token(task_id)) return make_error(ErrorCode::invalid_params, "task id '" + std::string(task_id) + "' cannot be a subject token");
  return joined({{"fleet", fleet}, {"domain", domain}}, fleet, std::string_view("results"), domain, task_id);
}

Result<std::string> event_subject(std::string_view fleet, std::string_view event_type) {
  if (!is_event_type(event_type)) return make_error(ErrorCode::invalid_params, "event type '" + std::string(event_type) + "' is not dotted identifiers");
  return joined({{"fleet", fleet}}, std::string_view("roundtable.events"), fleet, event_type);
}

Result<std::string> heartbeat_subject(std::string_view fleet, std::string_view agent) {
  return joined({{"fleet", fleet}, {"agent", agent}}, fleet, std::string_view("heartbeat"), agent);
}

Result<std::string> cancel_subject(std::string_view fleet, std::string_view task_id) {
  if (!is_token(task_id)) return make_error(ErrorCode::invalid_params, "task id '" + std::string(task_id) + "' cannot be a subject token");
  return joined({{"fleet", fleet}}, fleet, std::string_view("cancel"), task_id);
}

Result<std::string> peer_request_subject(std::string_view to_fleet) {
  return joined({{"fleet", to_fleet}}, std::string_view("roundtable.peer"), to_fleet, std::string_view("request"));
}

Result<std::string> peer_message_subject(std::string_view to_fleet) {
  return joined({{"fleet", to_fleet}}, std::string_view("roundtable.peer"), to_fleet, std::string_view("message"));
}

Result<std::string> consumer_name(std::string_view fleet, std::string_view agent, std::string_view domain) {
  for (auto [what, value] : {std::pair{"fleet", fleet}, {"agent", agent}, {"domain", domain}})
    if (auto status = require_identifier(what, value); !status) return status.error();
  return std::string(fleet) + "-" + std::string(agent) + "-" + std::string(domain);
}

Result<std::string> consumer_filter(std::string_view fleet, std::string_view domain) {
  return joined({{"fleet", fleet}, {"domain", domain}}, fleet, std::string_view("tasks"), domain, std::string_view(">"));
}

std::optional<TaskSubject> parse_task_subject(std::string_view subject) {
  auto parts = split(subject, '.');
  if (parts.size() != 4 || parts[1] != "tasks") return std::nullopt;
  if (!is_identifier(parts[0]) || !is_identifier(parts[2]) || !is_identifier(parts[3])) return std::nullopt;
  return TaskSubject{parts[0], parts[2], parts[3]};
}

std::optional<TaskName> parse_task_name(std::string_view task) {
  auto parts = split(task, '.');
  if (parts.size() != 2 || !is_identifier(parts[0]) || !is_identifier(parts[1])) return std::nullopt;
  return TaskName{parts[0], parts[1]};
}

bool is_event_type(std::string_view type) {
  if (type.empty()) return false;
  for (const auto& part : split(type, '.'))
    if (!is_identifier(part)) return false;
  return true;
}

}  // namespace rt::contract

namespace rt::contract {

bool subjects_overlap(std::string_view a, std::string_view b) {
  auto left = split(a, '.'), right = split(b, '.');
  size_t i = 0;
  for (; i < left.size() && i < right.size(); ++i) {
    if (left[i] == ">" || right[i] == ">") return true;
    if (left[i] != "*" && right[i] != "*" && left[i] != right[i]) return false;
  }
  if (left.size() == right.size()) return true;
  // One ran out: overlap only if the other continues with a lone '>' (which needs 1+ tokens, so no).
  return false;
}

}  // namespace rt::contract
