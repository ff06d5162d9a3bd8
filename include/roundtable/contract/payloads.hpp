#pragma once
// docs/contract.md §4 payloads and the message types that carry them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"

namespace rt::contract {

// Upper bounds for numbers from outside (larger values are clamped to these).
inline constexpr int64_t kMaxRetryAfterSeconds = 86'400;
inline constexpr int64_t kMaxTaskTokens = 1'000'000'000;  // maxTokens of a task request

namespace type {
inline constexpr std::string_view task_request = "task.request";
inline constexpr std::string_view task_result = "task.result";
inline constexpr std::string_view task_failed = "task.failed";
inline constexpr std::string_view task_claimed = "task.claimed";
inline constexpr std::string_view task_progress = "task.progress";
inline constexpr std::string_view task_retrying = "task.retrying";
inline constexpr std::string_view task_rejected = "task.rejected";
inline constexpr std::string_view task_deadletter = "task.deadletter";
inline constexpr std::string_view task_cancel = "task.cancel";
inline constexpr std::string_view task_cancelled = "task.cancelled";
inline constexpr std::string_view knight_online = "knight.online";
inline constexpr std::string_view knight_offline = "knight.offline";
inline constexpr std::string_view heartbeat = "heartbeat";
inline constexpr std::string_view peer_message = "peer.message";
}  // namespace type

struct TaskRequest {
  std::string task;  // "<domain>.<action>"
  nlohmann::json params = nlohmann::json::object();
  std::string response_format = "markdown";
  std::optional<int64_t> max_tokens;
};
Result<TaskRequest> parse_task_request(const nlohmann::json& payload);
nlohmann::json to_json(const TaskRequest& request);

struct ResultMetadata {
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t duration_ms = 0;
  int attempt = 1;
  nlohmann::json extra = nlohmann::json::object();  // other metadata fields, kept
};

struct TaskResult {
  std::string format = "markdown";
  std::string content;
  ResultMetadata metadata;
};
// Accepts {"status":"completed","result":{...}} or the inner result object.
Result<TaskResult> parse_task_result(nlohmann::json payload);  // moves the content out
nlohmann::json to_json(const TaskResult& result);  // the full payload, status included
std::string to_json_text(const TaskResult& result);  // to_json(result), written without a tree

struct TaskFailure {
  ErrorCode error = ErrorCode::internal_error;
  std::string message;
  bool retryable = true;
  std::optional<int64_t> retry_after_seconds;
  int attempt = 1;
};
// {"status":"failed","error":"<code>",...} or the bare failure object.
Result<TaskFailure> parse_task_failure(const nlohmann::json& payload);
nlohmann::json to_json(const TaskFailure& failure);
TaskFailure make_failure(ErrorCode code, std::string message, int attempt = 1);

struct SubTask {
  std::string id, status, description;
};
struct Progress {
  std::optional<int> percent;
  std::string message;
  std::vector<SubTask> sub_tasks;
};
Progress parse_progress(const nlohmann::json& payload);
nlohmann::json to_json(const Progress& progress);

struct ConsumerState {
  std::string name;
  uint64_t pending = 0, ack_pending = 0, redelivered = 0;
};
struct Heartbeat {
  std::string status = "healthy";  // healthy|degraded|unhealthy
  int64_t uptime_seconds = 0;
  std::vector<std::string> capabilities;
  int active_task_count = 0;
  std::string model, version, gateway = "up";
  std::vector<ConsumerState> consumers;
};
nlohmann::json to_json(const Heartbeat& heartbeat);
Result<Heartbeat> parse_heartbeat(const nlohmann::json& payload);

}  // namespace rt::contract
