#pragma once
// Tools the model may call: skills, remember, shared memory, sub-agents (and, for a lead,
// delegate). Each is a Tool; the registry hands the model their specs and runs them by name.
#include <functional>
#include <chrono>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/common/result.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/gateway/skill_runner.hpp"
#include "roundtable/gateway/workspace.hpp"
#include "roundtable/llm/types.hpp"
#include "roundtable/redis/client.hpp"
#include "roundtable/trace/context.hpp"

namespace rt::gateway {

// What a running tool can use of the task it serves.
struct ToolContext {
  std::string task_id;
  std::function<void(const contract::Progress&)> progress;
  llm::Usage usage;  // tokens a tool spent on its own LLM calls (sub-agents)
  std::optional<std::chrono::steady_clock::time_point> deadline;  // the task's; tools stop by then
  std::optional<trace::TraceContext> trace;  // the tool call's span: the parent of what the tool starts (delegated tasks)
  std::function<bool()> canceled;  // true once the task is cancelled: a running skill is killed
};

struct ToolResult {
  std::string content;
  bool is_error = false;
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual llm::ToolSpec spec() const = 0;
  virtual ToolResult run(const nlohmann::json& input, ToolContext& context) = 0;
  // Safe to run again after an interrupted run (a resumed task, gateway/checkpoint_store.hpp).
  virtual bool idempotent() const { return false; }
};

// Thread-safe: MCP servers' tools change while tasks run (replace_prefix); a tool being run
// stays alive until its run ends.
class ToolRegistry {
 public:
  void add(std::unique_ptr<Tool> tool);
  // Removes every tool whose name starts with `prefix`, then adds `tools`.
  void replace_prefix(const std::string& prefix, std::vector<std::unique_ptr<Tool>> tools);
  std::vector<llm::ToolSpec> specs() const;
  // Unknown tool -> an error result naming it (the model may recover).
  ToolResult run(const std::string& name, const nlohmann::json& input, ToolContext& context) const;
  bool has(const std::string& name) const;
  bool idempotent(const std::string& name) const;  // false for an unknown tool

 private:
  void put(std::unique_ptr<Tool> tool, llm::ToolSpec spec);  // with mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Tool>> tools_;
  std::vector<llm::ToolSpec> specs_;  // tools_' specs, in name order
};

// shared_get/shared_set without Redis: this process only.
struct LocalSharedMemory {
  std::mutex mutex;
  std::map<std::string, std::string> values;
};

// The shared pieces the built-in tools need.
struct ToolDeps {
  const Workspace* workspace = nullptr;
  redis::Client* redis = nullptr;  // may be null: shared memory then lives in this process
  std::string fleet;
  SkillSandbox sandbox;
  Logger logger;
};

std::unique_ptr<Tool> make_skill_tool(const Skill& skill, const ToolDeps& deps);
std::unique_ptr<Tool> make_remember_tool(const ToolDeps& deps, std::shared_ptr<std::mutex> memory_lock);
std::unique_ptr<Tool> make_shared_get_tool(const ToolDeps& deps, std::shared_ptr<LocalSharedMemory> local);
std::unique_ptr<Tool> make_shared_set_tool(const ToolDeps& deps, std::shared_ptr<LocalSharedMemory> local);

// Appends "- <date>: <fact>" to MEMORY.md atomically (write-then-rename), refusing to grow
// past max_bytes. Returns the new size.
Result<size_t> append_memory(const std::filesystem::path& memory_file, const std::string& fact, size_t max_bytes);

}  // namespace rt::gateway

namespace rt::gateway {
class RateLimiter;
// spawn_subagents: runs up to max_parallel prompts at once on the sub-agent model (no tools)
// and returns their answers as JSON; progress is reported as each one finishes.
std::unique_ptr<Tool> make_spawn_subagents_tool(llm::Provider& provider, RateLimiter& limiter, std::string model,
                                                int max_parallel, std::string soul, Logger logger);
}  // namespace rt::gateway

namespace rt::nats {
class TaskClient;
}
namespace rt::gateway {
// delegate (lead role): publishes tasks to knights in parallel, correlated to the lead's own
// task, and waits for their results until a deadline; partial results are used and missing
// knights named. With no input it delegates the knight.yaml `delegates` list.
std::unique_ptr<Tool> make_delegate_tool(nats::TaskClient& client, std::vector<Delegate> defaults,
                                         std::chrono::milliseconds deadline, Logger logger);
}  // namespace rt::gateway
