#pragma once
// What a lead (or the CLI) does: publish task requests and wait for their results, in parallel.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/contract/envelope.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::nats {

struct TaskOrder {
  std::string task;  // <domain>.<action>
  nlohmann::json params = nlohmann::json::object();
  contract::Priority priority = contract::Priority::normal;
  std::optional<std::string> to;
  std::optional<int64_t> max_tokens;
};

// How one task is sent, beyond its order.
struct SendOptions {
  std::optional<std::string> correlation_id;
  std::chrono::seconds ttl{3600};
  Headers headers;                                              // e.g. traceparent
  nlohmann::json envelope_fields = nlohmann::json::object();   // extra envelope fields, e.g. trace, parentTaskId
};

struct TaskAnswer {
  std::string task_id;
  std::string task;
  std::optional<std::string> to;
  bool answered = false;      // false: no result before the deadline
  bool completed = false;     // task.result with status completed
  std::string agent;          // who answered
  nlohmann::json envelope;    // the result or failure envelope
  std::chrono::milliseconds elapsed{0};
  std::string content() const;         // result content, or "<code>: <message>" for a failure
  std::string error_code() const;      // failure code, empty when completed
};

class TaskClient {
 public:
  // Subscribes to <fleet>.results.> at once, so no answer can slip past a later publish.
  TaskClient(Connection& connection, JetStream& js, std::string fleet, std::string from);
  // Publishes with Nats-Msg-Id = task id; returns the task id.
  Result<std::string> send(const TaskOrder& order, std::optional<std::string> correlation_id = std::nullopt,
                           std::chrono::seconds ttl = std::chrono::seconds(3600));
  Result<std::string> send(const TaskOrder& order, const SendOptions& options);
  // Waits for every id until the deadline; unanswered ones come back with answered = false.
  std::vector<TaskAnswer> wait(const std::vector<std::string>& task_ids, std::chrono::steady_clock::time_point deadline);
  // Looks in ROUNDTABLE_RESULTS for the stored result of every id this client sent and has no
  // answer for yet (one that went by while the connection was down, say). Returns how many it
  // found; they count as arrived for wait().
  size_t recover_stored(const std::vector<std::string>& task_ids);
  // Like wait(), but also looks in the stream every `check_every` and once more at the deadline.
  // Publishes the cancel of a task (docs/contract.md §4 "Cancel"), `by` this client's `from`.
  Status cancel(const std::string& task_id, const std::string& reason);
  std::vector<TaskAnswer> wait_checking_stream(const std::vector<std::string>& task_ids, std::chrono::steady_clock::time_point deadline,
                                               std::chrono::milliseconds check_every = std::chrono::seconds(5));

 private:
  struct Sent {
    TaskOrder order;
    std::chrono::steady_clock::time_point at;
  };
  Connection& connection_;
  uint64_t reconnects_at_start_ = 0;  // a reconnect since then may have hidden a result
  JetStream& js_;
  std::string fleet_, from_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::map<std::string, Sent> sent_;
  std::map<std::string, std::pair<nlohmann::json, std::chrono::steady_clock::time_point>> results_;
  Subscription subscription_;
};

}  // namespace rt::nats
