#pragma once
// A task's agent loop saved after every completed LLM turn and tool result, so that a
// redelivered task resumes where the last attempt stopped (docs/contract.md §8, Checkpoints).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/llm/types.hpp"

namespace rt::gateway {

struct CheckpointSettings {
  std::chrono::milliseconds ttl{std::chrono::hours(24)};  // CHECKPOINT_TTL
  size_t max_bytes = size_t{4} << 20;                      // CHECKPOINT_MAX_BYTES: past it, the task is no longer checkpointed
};

// The tool that was running when the checkpoint was written: written before the tool starts
// and cleared once its result is saved, so a marker found on resume means "interrupted".
struct InFlightTool {
  std::string name;
  std::string call_id;
  std::string started;  // RFC 3339
};

struct Checkpoint {
  static constexpr int kVersion = 1;
  std::string fleet;
  std::string agent;
  std::string task_id;
  std::vector<llm::Message> messages;  // the conversation so far, ending with the last assistant turn
  std::vector<llm::Block> tool_results;  // results of that turn's tool calls finished so far
  std::optional<InFlightTool> in_flight;
  llm::Usage usage;          // spent by the attempts so far
  std::string gathered;      // tool output so far (the answer of last resort at the deadline)
  int turns = 0;             // completed LLM turns
  int corrections = 0;       // json answers asked for again
};

nlohmann::json to_json(const llm::Block& block);
nlohmann::json to_json(const llm::Message& message);
nlohmann::json to_json(const Checkpoint& checkpoint);
std::string encode_checkpoint(const Checkpoint& checkpoint);
// Untrusted bytes (Redis is shared): bounded parse, every field checked. Error: invalid_params.
Result<Checkpoint> decode_checkpoint(std::string_view text);

}  // namespace rt::gateway
