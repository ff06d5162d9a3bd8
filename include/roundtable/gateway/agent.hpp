#pragma once
// The knight's thinking loop: prompt from SOUL + MEMORY + skills, LLM calls under the rate
// limit and budget, tools run until the model answers or max_tool_iterations is reached.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "roundtable/common/log.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/gateway/rate_limiter.hpp"
#include "roundtable/gateway/response_format.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/gateway/workspace.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/llm/types.hpp"
#include "roundtable/trace/task_trace.hpp"

namespace rt::gateway {

class TaskCheckpoint;  // gateway/checkpoint_store.hpp

struct AgentAnswer {
  bool completed = false;
  contract::TaskResult result;
  contract::TaskFailure failure;
  llm::Usage usage;
};

struct Conversation {
  std::string task_id;                 // for logs and tools
  std::vector<llm::Message> messages;  // at least one user message
  std::string extra_system;            // e.g. system messages of a chat request
  ResponseFormat format = ResponseFormat::markdown;  // asked of the model; json answers are checked
  std::optional<int64_t> max_tokens;
  std::optional<SystemTime> deadline;
  std::function<void(const contract::Progress&)> progress;
  std::function<bool()> canceled;  // polled before each model call: true ends the run (A2A CancelTask)
  std::shared_ptr<TaskCheckpoint> checkpoint;  // saved after each turn and tool result; null: none (no Redis, chat, A2A)
  std::shared_ptr<trace::TaskTrace> trace;  // spans and result steps (gateway/agent_trace.hpp); null: not traced
};

class Agent {
 public:
  Agent(const Workspace& workspace, llm::Provider& provider, const ToolRegistry& tools, RateLimiter& limiter,
        http::MetricsRegistry& metrics, Logger logger);
  AgentAnswer run(Conversation conversation);
  std::string system_prompt() const;
  const std::string& model() const;

 private:
  AgentAnswer fail(ErrorCode code, std::string message, bool retryable, std::optional<int64_t> retry_after, llm::Usage usage) const;
  AgentAnswer answer_with_what_was_gathered(const std::string& gathered, const std::string& model, const llm::Usage& usage,
                                            std::chrono::steady_clock::time_point started) const;

  const Workspace& workspace_;
  llm::Provider& provider_;
  const ToolRegistry& tools_;
  RateLimiter& limiter_;
  http::MetricsRegistry& metrics_;
  Logger logger_;
};

// The task request rendered as the user message.
std::string render_task_message(const contract::TaskRequest& request);

}  // namespace rt::gateway
