#pragma once
// `roundtable consumers`: the task consumers of a fleet with their knight, lag, last activity
// and whether the knight is alive, and which of them `prune` removes. Plain functions, no NATS.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/time.hpp"
#include "roundtable/nats/consumer_admin.hpp"

namespace rt::cli {

// What the fleet's heartbeats say (ROUNDTABLE_HEARTBEAT, last message per agent).
struct Liveness {
  std::map<std::string, int64_t> heartbeat_age;  // agent -> seconds since its last heartbeat (-1: unreadable)
  std::set<std::string> fresh_agents;            // agents whose last heartbeat is not stale
  std::set<std::string> fresh_consumers;         // consumer names listed in those heartbeats
};
// Adds one agent's last heartbeat envelope (stored on <fleet>.heartbeat.<agent>).
void add_heartbeat(Liveness& liveness, std::string_view subject, const nlohmann::json& heartbeat, SystemTime now,
                   std::chrono::seconds stale_after);

struct ConsumerRow {
  std::string name;
  std::string knight;  // from <fleet>-<knight>-<domain>; empty when the name does not follow it
  std::string domain;  // from the filter <fleet>.tasks.<domain>.>
  std::string filter;
  uint64_t pending = 0;
  uint64_t ack_pending = 0;
  uint64_t redelivered = 0;
  uint64_t waiting = 0;
  std::optional<SystemTime> last_active;  // last delivery, or creation when nothing was delivered
  bool alive = false;                     // a fresh heartbeat names the knight or the consumer, or a bridge is fetching
  std::string evidence;                   // why alive or not, in words
};

// The knight of a consumer named <fleet>-<knight>-<domain> with filter <fleet>.tasks.<domain>.>.
std::string knight_of_consumer(const std::string& fleet, const std::string& name, const std::string& filter);
// Rows for the consumers of `fleet` (filter <fleet>.tasks.… or name <fleet>-…), sorted by name.
std::vector<ConsumerRow> consumer_rows(const std::string& fleet, const std::vector<nats::ConsumerActivity>& consumers,
                                       const Liveness& liveness);

// prune removes a consumer when its knight is known and not alive, and nothing was delivered
// (nor was it created) within idle_for. Empty when it may go; otherwise why it stays.
std::optional<std::string> prune_refusal(const ConsumerRow& row, SystemTime now, std::chrono::seconds idle_for);

nlohmann::json to_json(const ConsumerRow& row, SystemTime now);
std::string consumers_table(const std::vector<ConsumerRow>& rows, SystemTime now);
// "42s", "17m", "3h", "2d"; "-" when unknown.
std::string short_age(std::optional<SystemTime> since, SystemTime now);

}  // namespace rt::cli
