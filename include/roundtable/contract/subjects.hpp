#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/common/result.hpp"

namespace rt::contract {

// docs/contract.md §1. Builders validate their identifiers and fail with invalid_params.
Result<std::string> task_subject(std::string_view fleet, std::string_view domain, std::string_view action);
Result<std::string> result_subject(std::string_view fleet, std::string_view domain, std::string_view task_id);
Result<std::string> event_subject(std::string_view fleet, std::string_view event_type);
Result<std::string> heartbeat_subject(std::string_view fleet, std::string_view agent);
// `<fleet>.cancel.<task-id>` (docs/contract.md §1, stream ROUNDTABLE_CANCELS).
Result<std::string> cancel_subject(std::string_view fleet, std::string_view task_id);
Result<std::string> peer_request_subject(std::string_view to_fleet);
Result<std::string> peer_message_subject(std::string_view to_fleet);

// docs/contract.md §3: durable name `<fleet>-<agent>-<domain>`, filter `<fleet>.tasks.<domain>.>`.
Result<std::string> consumer_name(std::string_view fleet, std::string_view agent, std::string_view domain);
Result<std::string> consumer_filter(std::string_view fleet, std::string_view domain);

struct TaskSubject {
  std::string fleet, domain, action;
  std::string task() const { return domain + "." + action; }
};
// `<fleet>.tasks.<domain>.<action>` with valid identifiers, else nullopt.
std::optional<TaskSubject> parse_task_subject(std::string_view subject);

struct TaskName {
  std::string domain, action;
};
// "security.briefing" -> {security, briefing}; both parts identifiers.
std::optional<TaskName> parse_task_name(std::string_view task);

// An event type is one or more identifiers joined by dots, e.g. "task.claimed".
bool is_event_type(std::string_view type);

}  // namespace rt::contract

namespace rt::contract {
// Whether two subjects (with `*` and `>` wildcards) can match a common subject.
bool subjects_overlap(std::string_view a, std::string_view b);
}  // namespace rt::contract
