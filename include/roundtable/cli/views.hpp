#pragma once
// What the CLI commands read and print, as plain functions: no NATS, so unit tests see them.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/nats/task_client.hpp"

namespace rt::cli {

// fanout's file: a YAML list (or {tasks: [...]}) of {task: <domain.action>, params: {...},
// priority: P}. Throws config::ConfigError naming the origin (and line) of the first problem.
std::vector<nats::TaskOrder> parse_tasks_yaml(const std::string& text, const std::string& origin);
std::vector<nats::TaskOrder> read_tasks_file(const std::filesystem::path& file);

// A task name given on the command line: "<domain>.<action>", both identifiers; throws
// config::ConfigError (exit 2) otherwise.
void check_task_name(const std::string& task);

// What a subject of the bus is: "event", "result", "heartbeat", "task" or "other".
std::string subject_kind(std::string_view subject);

// One `watch` line: time (the envelope's, UTC), subject kind, message type, agent, short task
// id, short text. Never throws, whatever the bytes.
std::string watch_line(std::string_view subject, std::string_view data, SystemTime now);

// One roster row from the last heartbeat envelope stored on <fleet>.heartbeat.<agent>.
struct RosterEntry {
  std::string agent;
  std::vector<std::string> domains;
  std::string status;  // the heartbeat's, or "stale" when older than stale_after
  std::string model;
  std::string gateway;
  int active_tasks = 0;
  uint64_t pending = 0;       // waiting in the knight's consumers
  int64_t age_seconds = -1;   // since the heartbeat was sent; -1 when its timestamp is unreadable
};
RosterEntry roster_entry(std::string_view subject, const nlohmann::json& heartbeat, SystemTime now,
                         std::chrono::seconds stale_after = std::chrono::seconds(90));
nlohmann::json to_json(const RosterEntry& entry);
std::string roster_table(const std::vector<RosterEntry>& roster);

// One row of fanout's table (and of ask --json): status is completed | failed | timeout.
std::string answer_status(const nats::TaskAnswer& answer);
std::string fanout_table(const std::vector<nats::TaskAnswer>& answers);
nlohmann::json to_json(const nats::TaskAnswer& answer);

// knight new: copies <knights_dir>/template to <knights_dir>/<name>, replacing __NAME__ and
// __DOMAIN__ in every text file. Refuses a bad identifier (invalid_params), a missing template
// (not_found) and an existing folder (config_error, "already exists").
Result<std::filesystem::path> scaffold_knight(const std::filesystem::path& knights_dir, const std::string& name,
                                              const std::string& domain);

}  // namespace rt::cli
