#pragma once
// Checkpoints of running tasks in Redis, so a redelivered task resumes instead of repeating its
// LLM turns and skill runs (docs/contract.md §8, docs/gateway.md "Resume, don't repeat").
//
// Why Redis: it is already the gateway's shared store (rate limits, budgets, spend), it
// outlives the pod, every replica reads it (the redelivery may land on another one), and a
// TTL removes what a task never came back for. Local disk dies with the pod; a JetStream
// key-value bucket would need NATS, which only a lead has. Without REDIS_URL there are no
// checkpoints: a redelivered task starts again, as before.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "roundtable/common/log.hpp"
#include "roundtable/gateway/checkpoint.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/llm/types.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::gateway {

class TaskCheckpoint;

class CheckpointStore {
 public:
  CheckpointStore(redis::Client& redis, std::string fleet, std::string agent, CheckpointSettings settings,
                  http::MetricsRegistry& metrics, Logger logger);
  // The checkpoint of one delivery of a task: it resumes only when attempt > 1.
  std::shared_ptr<TaskCheckpoint> for_task(const std::string& task_id, int attempt);
  // rt:<fleet>:ckpt:<agent>:<task-id>
  std::string key(const std::string& task_id) const;

 private:
  friend class TaskCheckpoint;
  redis::Client& redis_;
  std::string fleet_;
  std::string agent_;
  CheckpointSettings settings_;
  http::MetricsRegistry& metrics_;
  Logger logger_;
};

// The agent loop's hooks for one task. Not thread-safe: one agent loop drives it.
class TaskCheckpoint {
 public:
  TaskCheckpoint(CheckpointStore& store, std::string task_id, int attempt);
  // When this attempt resumes: the saved loop state, with the tool calls of an unfinished turn
  // completed (a non-idempotent tool that was running is reported to the model as interrupted,
  // not run again) and their results appended. nullopt: start from the beginning.
  std::optional<Checkpoint> resume(const ToolRegistry& tools, const std::function<void(const contract::Progress&)>& progress,
                                   std::optional<std::chrono::steady_clock::time_point> deadline);
  // After each LLM turn that did not end the task; `messages` ends with that turn.
  void turn_done(const std::vector<llm::Message>& messages, const llm::Usage& usage, const std::string& gathered, int turns,
                 int corrections);
  // Before a tool runs, and once its result is in `results` (the turn's results so far).
  void tool_starting(const llm::Message& results, const llm::Block& use);
  void tool_finished(const llm::Message& results, const llm::Usage& usage, const std::string& gathered);
  // The attempt is over: a final answer (completed, or failed for good) removes the checkpoint;
  // a retryable failure keeps it for the next attempt.
  void settle(bool final_answer);

 private:
  void save();
  void drop(const char* why);

  CheckpointStore& store_;
  std::string key_;
  int attempt_;
  Checkpoint state_;
  bool enabled_ = true;
};

}  // namespace rt::gateway
