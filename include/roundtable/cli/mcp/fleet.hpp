#pragma once
// What the MCP server asks of the fleet: the live roster and tasks sent and awaited over NATS,
// through the CLI's own connection (connect_bus) and nats::TaskClient.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/common/result.hpp"
#include "roundtable/nats/task_client.hpp"

namespace rt::cli::mcp {

// One knight as the `knights` tool shows it: the `roundtable knights` row plus the
// capabilities (<domain>.<action> or <domain>.*) from the same heartbeat.
struct Knight {
  RosterEntry entry;
  std::vector<std::string> capabilities;
};
nlohmann::json to_json(const Knight& knight);

// What one tool call may be told while it waits: stop (the client cancelled, the session
// ended, the server is stopping) and report progress (when the client asked for it).
struct CallContext {
  const std::atomic<bool>* cancelled = nullptr;
  std::function<void(double progress, double total, const std::string& message)> progress;
  bool is_cancelled() const { return cancelled && cancelled->load(); }
};

class Fleet {
 public:
  Fleet(Bus bus, std::string fleet, std::string from, std::chrono::seconds stale_after);
  const std::string& name() const { return fleet_; }
  // Every knight of the fleet with a heartbeat stored in ROUNDTABLE_HEARTBEAT, by name.
  Result<std::vector<Knight>> roster();
  // Publishes every order at once (task TTL = the deadline, so nobody works on what nobody
  // awaits any more) and waits for all of them until the deadline or a cancel. Unanswered
  // ones come back with answered = false. Progress counts answers as they arrive.
  Result<std::vector<nats::TaskAnswer>> run(const std::vector<nats::TaskOrder>& orders, std::chrono::milliseconds deadline,
                                            const CallContext& context);
  // An answer that had no result at its deadline, completed from ROUNDTABLE_RESULTS when the
  // knight answered later; unchanged when it still has none.
  Result<nats::TaskAnswer> late_answer(nats::TaskAnswer answer);

 private:
  Bus bus_;
  std::string fleet_, from_;
  std::chrono::seconds stale_after_;
};

}  // namespace rt::cli::mcp
