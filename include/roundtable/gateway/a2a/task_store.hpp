#pragma once
// A2A tasks held in memory: bounded in number (least recently used goes first, finished tasks
// before running ones) and in age, so hostile or forgetful clients cannot grow the gateway.
// Every change is also an event (a StreamResponse) that streams and subscribers wait for.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace rt::gateway::a2a {

enum class TaskState { submitted, working, completed, failed, canceled };
const char* state_name(TaskState state);  // TASK_STATE_COMPLETED ...
bool is_terminal(TaskState state);

// A text message as A2A 1.0 writes it; role is ROLE_USER or ROLE_AGENT.
nlohmann::json text_message(const char* role, const std::string& text, const std::string& task_id, const std::string& context_id);

struct StoreLimits {
  size_t max_tasks = 1000;
  std::chrono::seconds max_age{3600};  // since the last change
  size_t max_events = 64;              // kept per task for late subscribers
  size_t max_context_messages = 20;    // earlier turns of a context given to the agent
  size_t max_bytes = size_t{64} << 20; // messages and answers held, all tasks together (approximate)
};

class TaskStore {
 public:
  explicit TaskStore(StoreLimits limits = {});

  // A new task in state submitted whose history is the user's message (taskId and contextId
  // filled in). Returns the task id.
  std::string create(const std::string& context_id, nlohmann::json user_message);
  bool contains(const std::string& id) const;
  // The Task object; history trimmed to the last `history_length` messages when given.
  std::optional<nlohmann::json> get(const std::string& id, std::optional<size_t> history_length = std::nullopt) const;
  // submitted -> working, with an optional agent message (progress). False when the task is
  // gone or already finished (canceled while it waited).
  bool working(const std::string& id, const std::string& progress = "");
  // The end: completed with the answer as an artifact, or failed with the reason. False (and
  // nothing recorded) when the task is gone or already finished: a canceled task's answer is
  // discarded.
  bool complete(const std::string& id, const std::string& answer, const std::string& media_type, nlohmann::json metadata);
  bool fail(const std::string& id, const std::string& reason, nlohmann::json metadata);

  enum class CancelOutcome { not_found, not_cancelable, canceled };
  CancelOutcome cancel(const std::string& id);
  bool canceled(const std::string& id) const;
  // Marks every unfinished task canceled (shutdown).
  void cancel_all(const std::string& reason);

  // Messages of earlier finished tasks of the same context, oldest first (at most
  // max_context_messages), for the agent's conversation.
  std::vector<nlohmann::json> context_history(const std::string& context_id, const std::string& except_task) const;

  // Events numbered from 0; waits up to `timeout` for one at or after `after`.
  struct Events {
    bool found = false;
    std::vector<nlohmann::json> events;  // StreamResponse objects
    uint64_t next = 0;                   // pass as `after` next time
    bool terminal = false;               // the task has finished: no more will come
  };
  Events wait_events(const std::string& id, uint64_t after, std::chrono::milliseconds timeout) const;

  // The Task and the number of its next event, taken together, for a stream that starts now.
  struct Snapshot {
    nlohmann::json task;
    uint64_t next_event = 0;
    bool terminal = false;
  };
  std::optional<Snapshot> snapshot(const std::string& id) const;

  size_t size() const;

 private:
  struct Record {
    std::string id, context_id;
    TaskState state = TaskState::submitted;
    nlohmann::json status_message;  // null or a Message
    std::string timestamp;
    std::vector<nlohmann::json> history;
    nlohmann::json artifacts = nlohmann::json::array();
    nlohmann::json metadata = nlohmann::json::object();
    std::vector<nlohmann::json> events;
    uint64_t first_event = 0;  // number of events[0]
    std::chrono::steady_clock::time_point touched;
    size_t bytes = 0;  // roughly what its messages, answer and events hold
  };
  using List = std::list<Record>;

  Record* find(const std::string& id) const;
  void touch(Record& record) const;
  void push_event(Record& record, nlohmann::json event);
  void set_status(Record& record, TaskState state, nlohmann::json message);
  void charge(Record& record, size_t bytes);
  void evict();
  void drop(List::iterator it);
  nlohmann::json task_json(const Record& record, std::optional<size_t> history_length) const;

  const StoreLimits limits_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable List tasks_;  // most recently used first
  std::unordered_map<std::string, List::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace rt::gateway::a2a
