#pragma once
// The dashboard's model of a fleet, fed from what the CLI's NATS subscriptions receive:
// heartbeats (knights, their lag and liveness), ROUNDTABLE_EVENTS (task lifecycle), results,
// task requests (what was sent, and by which parent task) and today's spend. Bounded: at most
// Limits::max_tasks tasks (oldest dropped first), max_events_per_task events each, max_knights.
// Every change is handed to the listener as one delta ("knight", "task", "spend") while the
// state's lock is held, so deltas reach the listener in the order the state changed.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/time.hpp"

namespace rt::cli::dashboard {

struct KnightView {
  std::string agent;
  std::vector<std::string> domains, capabilities;
  std::string status;           // the heartbeat's, or "down" (heartbeats stopped) / "offline" (said goodbye)
  std::string reported_status;  // the last heartbeat's own status
  std::string model, gateway, breaker, instance;
  int64_t active_tasks = 0;
  int64_t lag = 0;  // tasks pending in its consumers
  std::optional<SystemTime> last_heartbeat;  // when the last one arrived (its own timestamp on the initial read)
  std::optional<SystemTime> offline_at;
  std::chrono::milliseconds interval{0};     // inferred from the gaps between its heartbeats
  std::deque<SystemTime> sent;               // the last few heartbeat timestamps, for the gaps
  std::string down_reason;
};

struct TaskEvent {
  std::string type;  // task.request, task.claimed, task.progress, task.retrying, task.failed, task.deadletter, task.rejected, task.result
  SystemTime at;
  int64_t attempt = 0;
  std::string agent;
  std::string text;
};

struct TaskView {
  std::string id, task, from, to, agent, priority, parent;
  std::string status = "queued";  // queued, running, retrying, completed, failed, rejected, deadletter
  int64_t attempts = 0;
  std::optional<SystemTime> requested, claimed, finished;
  int64_t duration_ms = -1;
  int64_t input_tokens = 0, output_tokens = 0;
  double cost_usd = 0;
  bool has_usage = false;
  std::string model, error, reason, summary;
  std::vector<TaskEvent> events;
  uint64_t updated = 0;  // change sequence
};

struct SpendToday {
  std::string day;     // yyyy-mm-dd, UTC
  std::string source;  // "redis" or "results" (costUsd of the results seen since the dashboard started)
  std::map<std::string, int64_t> micro_usd;  // agent -> micro-dollars
};

class FleetState {
 public:
  struct Limits {
    size_t max_tasks = 1000;
    size_t max_events_per_task = 64;
    size_t max_knights = 500;
    size_t max_text = 300;  // characters kept of a bus text (answers, reasons)
    // Assumed until two heartbeats of a knight show its period (docs/contract.md §4 default).
    std::chrono::milliseconds default_interval{std::chrono::seconds(30)};
  };
  using Listener = std::function<void(const std::string& kind, const nlohmann::json& data)>;

  FleetState(std::string fleet, Limits limits, Listener listener = {});

  // Any message of the fleet's subjects; `live` is false for the initial read of stored heartbeats.
  void on_message(std::string_view subject, std::string_view data, SystemTime now, bool live = true);
  // Marks knights down whose heartbeats stopped: none for 1.5 of their intervals.
  void tick(SystemTime now);
  void set_spend(SpendToday spend);

  nlohmann::json snapshot(SystemTime now) const;
  // The task, its events and its child tasks (requests whose correlationId names it); nullopt when unknown.
  std::optional<nlohmann::json> trace(const std::string& task_id) const;
  // Runs `joined` with a snapshot while no delta can be emitted: a stream that starts with this
  // snapshot and then gets every later delta misses nothing.
  void with_snapshot(SystemTime now, const std::function<void(const nlohmann::json&)>& joined) const;
  // The day and micro-dollars of results seen (the spend when there is no Redis).
  SpendToday observed_spend(SystemTime now) const;

 private:
  void on_heartbeat(std::string_view agent, const nlohmann::json& env, SystemTime now, bool live);
  void on_event(const std::string& type, const nlohmann::json& env, SystemTime now);
  void on_result(const nlohmann::json& env, SystemTime now);
  void on_request(const nlohmann::json& env, SystemTime now);
  KnightView* knight(const std::string& agent);
  TaskView& task(const std::string& id);
  void add_event(TaskView& t, TaskEvent event);
  void set_status(TaskView& t, const std::string& status);
  void mark_down(KnightView& k, std::string status, std::string reason);
  void emit_knight(const KnightView& k, SystemTime now);
  void emit_task(TaskView& t);
  std::string cap(std::string text) const;
  nlohmann::json knight_json(const KnightView& k, SystemTime now) const;
  nlohmann::json spend_json_locked(SystemTime now) const;
  nlohmann::json snapshot_locked(SystemTime now) const;

  std::string fleet_;
  Limits limits_;
  Listener listener_;
  mutable std::mutex mutex_;
  std::map<std::string, KnightView> knights_;
  std::unordered_map<std::string, TaskView> tasks_;
  std::deque<std::string> task_order_;  // oldest first
  std::optional<SpendToday> redis_spend_;
  std::map<std::string, std::map<std::string, int64_t>> seen_spend_;  // day -> agent -> micro-dollars
  uint64_t sequence_ = 0;
};

// A task's fields for the page (no events).
nlohmann::json task_json(const TaskView& t);
nlohmann::json event_json(const TaskEvent& e);
int64_t epoch_ms(SystemTime t);

// The string member `key` of a message from the bus, or "" when it is missing or not a string.
std::string text_of(const nlohmann::json& doc, const char* key);

}  // namespace rt::cli::dashboard
