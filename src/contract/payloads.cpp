#include "roundtable/contract/payloads.hpp"

#include <algorithm>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/json_text.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_params, std::move(message)); }

// Every number here comes from outside: clamped into a range that later arithmetic (seconds to
// milliseconds, sums of tokens, casts to int) cannot overflow.
constexpr int64_t kMaxTokens = 1'000'000'000'000;         // per result; sums stay far from int64
constexpr int64_t kMaxDurationMs = 30LL * 86'400'000;      // 30 days
constexpr int64_t kMaxAttempt = 1'000'000;
constexpr int64_t kMaxCount = 1'000'000'000'000;           // consumer counts, uptime seconds

int64_t int_or(const json& object, const char* key, int64_t fallback, int64_t lo, int64_t hi) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  return clamped_integer(*it, lo, hi).value_or(fallback);
}

std::string string_or(const json& object, const char* key, std::string fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

Result<TaskRequest> parse_task_request(const json& payload) {
  if (!payload.is_object()) return invalid("payload must be an object");
  TaskRequest request;
  auto task = payload.find("task");
  if (task == payload.end()) return invalid("payload is missing required field 'task'");
  if (!task->is_string()) return invalid("payload field 'task' must be a string");
  if (!parse_task_name(task->get<std::string>()))
    return invalid("payload field 'task' must be '<domain>.<action>', got '" + excerpt(task->get<std::string>()) + "'");
  request.task = task->get<std::string>();
  if (auto params = payload.find("params"); params != payload.end() && !params->is_null()) {
    if (!params->is_object()) return invalid("payload field 'params' must be an object");
    request.params = *params;
  }
  if (auto format = payload.find("responseFormat"); format != payload.end() && !format->is_null()) {
    if (!format->is_string()) return invalid("payload field 'responseFormat' must be a string");
    request.response_format = format->get<std::string>();
  }
  if (auto max_tokens = payload.find("maxTokens"); max_tokens != payload.end() && !max_tokens->is_null()) {
    // Parsed text keeps non-negative integers as unsigned: clamp first, then judge the sign.
    auto tokens = max_tokens->is_number_integer() ? clamped_integer(*max_tokens, 0, kMaxTaskTokens) : std::nullopt;
    if (!tokens || *tokens <= 0) return invalid("payload field 'maxTokens' must be a positive integer");
    request.max_tokens = *tokens;
  }
  return request;
}

json to_json(const TaskRequest& request) {
  json out = {{"task", request.task}, {"params", request.params}, {"responseFormat", request.response_format}};
  if (request.max_tokens) out["maxTokens"] = *request.max_tokens;
  return out;
}

// The answer is the caller's to discard: its content (an LLM's whole answer) and extra metadata
// are moved out, not copied.
Result<TaskResult> parse_task_result(json payload) {
  if (!payload.is_object()) return invalid("result must be an object");
  json& inner = payload.contains("result") ? payload["result"] : payload;
  if (!inner.is_object()) return invalid("field 'result' must be an object");
  auto content = inner.find("content");
  if (content == inner.end()) return invalid("result is missing 'content'");
  TaskResult result;
  result.content = content->is_string() ? std::move(content->get_ref<std::string&>()) : content->dump();
  result.format = string_or(inner, "format", "markdown");
  if (auto metadata = inner.find("metadata"); metadata != inner.end() && metadata->is_object()) {
    result.metadata.model = string_or(*metadata, "model", "");
    result.metadata.input_tokens = int_or(*metadata, "inputTokens", 0, 0, kMaxTokens);
    result.metadata.output_tokens = int_or(*metadata, "outputTokens", 0, 0, kMaxTokens);
    result.metadata.cache_read_tokens = int_or(*metadata, "cacheReadTokens", 0, 0, kMaxTokens);
    result.metadata.duration_ms = int_or(*metadata, "durationMs", 0, 0, kMaxDurationMs);
    result.metadata.attempt = static_cast<int>(int_or(*metadata, "attempt", 1, 1, kMaxAttempt));
    for (auto& [key, value] : metadata->items())
      if (key != "model" && key != "inputTokens" && key != "outputTokens" && key != "cacheReadTokens" &&
          key != "durationMs" && key != "attempt")
        result.metadata.extra[key] = std::move(value);
  }
  return result;
}

json to_json(const TaskResult& result) {
  json metadata = result.metadata.extra.is_object() ? result.metadata.extra : json::object();
  metadata["model"] = result.metadata.model;
  metadata["inputTokens"] = result.metadata.input_tokens;
  metadata["outputTokens"] = result.metadata.output_tokens;
  metadata["cacheReadTokens"] = result.metadata.cache_read_tokens;
  metadata["durationMs"] = result.metadata.duration_ms;
  metadata["attempt"] = result.metadata.attempt;
  return {{"status", "completed"},
          {"result", {{"format", result.format}, {"content", result.content}, {"metadata", metadata}}}};
}

// The same bytes as to_json(result) through serialize(): members in byte order of their names, the
// six known metadata fields merged into the extra ones, which they replace.
std::string to_json_text(const TaskResult& result) {
  struct Known {
    std::string_view key;
    const std::string* text;
    int64_t number;
  };
  const ResultMetadata& m = result.metadata;
  const Known known[] = {{"attempt", nullptr, m.attempt},         {"cacheReadTokens", nullptr, m.cache_read_tokens},
                         {"durationMs", nullptr, m.duration_ms},  {"inputTokens", nullptr, m.input_tokens},
                         {"model", &m.model, 0},                  {"outputTokens", nullptr, m.output_tokens}};
  std::string out;
  out.reserve(160 + result.content.size());
  JsonObjectWriter payload(out);
  JsonObjectWriter inner(payload.member("result"));
  inner.string("content", result.content);
  inner.string("format", result.format);
  JsonObjectWriter metadata(inner.member("metadata"));
  auto write_known = [&](const Known& field) {
    if (field.text) metadata.string(field.key, *field.text);
    else metadata.integer(field.key, field.number);
  };
  size_t next = 0;
  if (m.extra.is_object())
    for (auto it = m.extra.begin(); it != m.extra.end(); ++it) {
      const std::string& key = it.key();
      while (next < std::size(known) && known[next].key < key) write_known(known[next++]);
      if (next < std::size(known) && known[next].key == key) continue;  // replaced by the known field
      metadata.value(key, *it);
    }
  while (next < std::size(known)) write_known(known[next++]);
  metadata.close();
  inner.close();
  payload.string("status", "completed");
  payload.close();
  return out;
}

Result<TaskFailure> parse_task_failure(const json& payload) {
  if (!payload.is_object()) return invalid("failure must be an object");
  auto error = payload.find("error");
  if (error == payload.end() || !error->is_string()) return invalid("failure is missing string field 'error'");
  TaskFailure failure;
  auto code = parse_error_code(error->get<std::string>());
  failure.error = code.value_or(ErrorCode::internal_error);
  failure.message = string_or(payload, "message", code ? "" : "unknown error code '" + excerpt(error->get<std::string>()) + "'");
  auto retryable = payload.find("retryable");
  failure.retryable = retryable != payload.end() && retryable->is_boolean() ? retryable->get<bool>()
                                                                            : default_retryable(failure.error);
  if (auto after = payload.find("retryAfterSeconds"); after != payload.end())
    if (auto seconds = clamped_integer(*after, -1, kMaxRetryAfterSeconds); seconds && *seconds >= 0)
      failure.retry_after_seconds = *seconds;
  failure.attempt = static_cast<int>(int_or(payload, "attempt", 1, 1, kMaxAttempt));
  return failure;
}

json to_json(const TaskFailure& failure) {
  json out = {{"error", std::string(error_code_name(failure.error))},
              {"message", failure.message},
              {"retryable", failure.retryable},
              {"attempt", failure.attempt}};
  if (failure.retry_after_seconds) out["retryAfterSeconds"] = *failure.retry_after_seconds;
  return out;
}

TaskFailure make_failure(ErrorCode code, std::string message, int attempt) {
  return TaskFailure{to_wire_code(code), std::move(message), default_retryable(code), std::nullopt, attempt};
}

Progress parse_progress(const json& payload) {
  Progress progress;
  if (!payload.is_object()) return progress;
  if (auto percent = payload.find("percent"); percent != payload.end())
    if (auto value = clamped_integer(*percent, 0, 100)) progress.percent = static_cast<int>(*value);
  progress.message = string_or(payload, "message", "");
  if (auto subs = payload.find("subTasks"); subs != payload.end() && subs->is_array())
    for (const auto& sub : *subs)
      if (sub.is_object())
        progress.sub_tasks.push_back({string_or(sub, "id", ""), string_or(sub, "status", ""), string_or(sub, "description", "")});
  return progress;
}

json to_json(const Progress& progress) {
  json out = {{"message", progress.message}};
  if (progress.percent) out["percent"] = *progress.percent;
  if (!progress.sub_tasks.empty()) {
    out["subTasks"] = json::array();
    for (const auto& sub : progress.sub_tasks)
      out["subTasks"].push_back({{"id", sub.id}, {"status", sub.status}, {"description", sub.description}});
  }
  return out;
}

json to_json(const Heartbeat& heartbeat) {
  json consumers = json::array();
  for (const auto& consumer : heartbeat.consumers)
    consumers.push_back({{"name", consumer.name},
                         {"pending", consumer.pending},
                         {"ackPending", consumer.ack_pending},
                         {"redelivered", consumer.redelivered}});
  return {{"status", heartbeat.status},   {"uptime", heartbeat.uptime_seconds},
          {"capabilities", heartbeat.capabilities}, {"activeTaskCount", heartbeat.active_task_count},
          {"model", heartbeat.model},     {"version", heartbeat.version},
          {"gateway", heartbeat.gateway}, {"consumers", consumers}};
}

Result<Heartbeat> parse_heartbeat(const json& payload) {
  if (!payload.is_object()) return invalid("heartbeat payload must be an object");
  Heartbeat heartbeat;
  heartbeat.status = string_or(payload, "status", "unhealthy");
  heartbeat.uptime_seconds = int_or(payload, "uptime", 0, 0, kMaxCount);
  if (auto caps = payload.find("capabilities"); caps != payload.end() && caps->is_array())
    for (const auto& cap : *caps)
      if (cap.is_string()) heartbeat.capabilities.push_back(cap.get<std::string>());
  heartbeat.active_task_count = static_cast<int>(int_or(payload, "activeTaskCount", 0, 0, kMaxAttempt));
  heartbeat.model = string_or(payload, "model", "");
  heartbeat.version = string_or(payload, "version", "");
  heartbeat.gateway = string_or(payload, "gateway", "");
  if (auto consumers = payload.find("consumers"); consumers != payload.end() && consumers->is_array())
    for (const auto& c : *consumers)
      if (c.is_object())
        heartbeat.consumers.push_back({string_or(c, "name", ""), static_cast<uint64_t>(int_or(c, "pending", 0, 0, kMaxCount)),
                                       static_cast<uint64_t>(int_or(c, "ackPending", 0, 0, kMaxCount)),
                                       static_cast<uint64_t>(int_or(c, "redelivered", 0, 0, kMaxCount))});
  return heartbeat;
}

}  // namespace rt::contract
