#include "roundtable/gateway/agent.hpp"

#include "roundtable/common/strings.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/gateway/agent_trace.hpp"
#include "roundtable/gateway/checkpoint_store.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

// The partial answer (tool output gathered before the deadline) in the asked format.
AgentAnswer in_format(AgentAnswer answer, ResponseFormat format) {
  answer.result.format = std::string(response_format_name(format));
  if (format == ResponseFormat::json)
    answer.result.content = json{{"partial", true}, {"gathered", answer.result.content}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return answer;
}

// The model's arguments for a tool were not a JSON object: it is told so, and the tool not run.
ToolResult unusable_arguments(const llm::Block& use) {
  std::string given = use.tool_input.is_string() ? use.tool_input.get<std::string>() : use.tool_input.dump();
  return ToolResult{"the arguments for " + use.tool_name + " must be one JSON object; got: " + excerpt(given, 200) + ". Call it again with a JSON object.",
                    true};
}

}  // namespace

std::string render_task_message(const contract::TaskRequest& request) {
  std::string text = "Task: " + request.task + "\n";
  text += "Parameters: " + (request.params.empty() ? std::string("{}") : request.params.dump()) + "\n";
  text += "Response format: " + request.response_format + "\n";
  if (request.max_tokens) text += "Keep the answer under " + std::to_string(*request.max_tokens) + " tokens.\n";
  return text;
}

Agent::Agent(const Workspace& workspace, llm::Provider& provider, const ToolRegistry& tools, RateLimiter& limiter,
             http::MetricsRegistry& metrics, Logger logger)
    : workspace_(workspace), provider_(provider), tools_(tools), limiter_(limiter), metrics_(metrics), logger_(std::move(logger)) {}

const std::string& Agent::model() const { return workspace_.knight.model.name; }

std::string Agent::system_prompt() const {
  std::string prompt = workspace_.soul;
  prompt += "\n\n# Memory\n" + workspace_.memory();
  if (!workspace_.skills.empty()) {
    prompt += "\n\n# Skills\n";
    for (const auto& skill : workspace_.skills) prompt += "- " + skill.name + ": " + skill.description + "\n";
  }
  return prompt;
}

AgentAnswer Agent::fail(ErrorCode code, std::string message, bool retryable, std::optional<int64_t> retry_after, llm::Usage usage) const {
  AgentAnswer answer;
  answer.failure = contract::TaskFailure{code, std::move(message), retryable, retry_after, 1};
  answer.usage = usage;
  return answer;
}

// The deadline came before the model could write its answer: what the tools brought back is
// still worth more to the asker than a bare timeout (a lead's knights' reports, for one).
AgentAnswer Agent::answer_with_what_was_gathered(const std::string& gathered, const std::string& model, const llm::Usage& usage,
                                                 std::chrono::steady_clock::time_point started) const {
  AgentAnswer answer;
  answer.completed = true;
  answer.usage = usage;
  answer.result.format = "markdown";
  answer.result.content = "*(The deadline came before this answer could be written up; what was gathered follows.)*\n\n" + gathered;
  auto& meta = answer.result.metadata;
  meta.model = model;
  meta.input_tokens = usage.input_tokens;
  meta.output_tokens = usage.output_tokens;
  meta.cache_read_tokens = usage.cache_read_tokens;
  meta.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  meta.extra = {{"agent", workspace_.knight.name}, {"partial", true}, {"cacheWriteTokens", usage.cache_write_tokens},
                {"costUsd", static_cast<double>(usage.cost_micro_usd) / 1e6}, {"costKnown", usage.cost_known}};
  return answer;
}

AgentAnswer Agent::run(Conversation conversation) {
  auto started = std::chrono::steady_clock::now();
  const auto& knight = workspace_.knight;
  llm::Request request;
  request.model = knight.model.name;
  request.system = system_prompt() + (conversation.extra_system.empty() ? "" : "\n\n" + conversation.extra_system) + "\n\n" +
                   response_format_instructions(conversation.format);
  request.messages = std::move(conversation.messages);
  request.max_tokens = conversation.max_tokens.value_or(knight.model.max_tokens);
  request.temperature = knight.model.temperature;
  request.tools = tools_.specs();
  if (conversation.deadline) {
    auto left = *conversation.deadline - std::chrono::system_clock::now();
    request.deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
  }
  llm::Usage usage;
  std::string gathered;  // tool output so far: the answer of last resort when time runs out
  int corrections = 0;  // a json answer that did not parse is asked for once more
  int first_turn = 1;
  if (conversation.checkpoint)
    if (auto saved = conversation.checkpoint->resume(tools_, conversation.progress, request.deadline)) {
      request.messages = std::move(saved->messages);  // the completed turns are not asked again
      usage = saved->usage;
      gathered = std::move(saved->gathered);
      corrections = saved->corrections;
      first_turn = saved->turns + 1;
    }
  for (int iteration = first_turn; iteration <= knight.max_tool_iterations + corrections; ++iteration) {
    if (conversation.canceled && conversation.canceled())
      return fail(ErrorCode::cancelled, "canceled before the answer was ready", false, std::nullopt, usage);
    if (conversation.deadline && std::chrono::system_clock::now() > *conversation.deadline) {
      if (!gathered.empty()) return in_format(answer_with_what_was_gathered(gathered, request.model, usage, started), conversation.format);
      return fail(ErrorCode::timeout, "deadline passed before the answer was ready", true, std::nullopt, usage);
    }
    auto admission = limiter_.admit();
    if (!admission.allowed) {
      metrics_.add("roundtable_gateway_rate_limited_total");
      return fail(ErrorCode::rate_limited, admission.reason, true, admission.retry_after_seconds, usage);
    }
    // On the last iteration the model must answer in text.
    request.tools_allowed = iteration < knight.max_tool_iterations;
    auto llm_call = begin_llm_call(conversation.trace, provider_.name(), request);
    auto outcome = provider_.complete(request);
    end_llm_call(conversation.trace, std::move(llm_call), request, outcome);
    if (conversation.canceled && conversation.canceled())
      return fail(ErrorCode::cancelled, "canceled while the model was answering", false, std::nullopt, usage);
    if (!outcome.ok()) {
      bool late = conversation.deadline && std::chrono::system_clock::now() > *conversation.deadline;
      if (late && !gathered.empty()) return in_format(answer_with_what_was_gathered(gathered, request.model, usage, started), conversation.format);
      if (late)
        return fail(ErrorCode::timeout, "deadline passed while the LLM was failing: " + outcome.failure.message, true, std::nullopt, usage);
      std::optional<int64_t> after;
      if (outcome.failure.retry_after) after = (outcome.failure.retry_after->count() + 999) / 1000;
      return fail(outcome.failure.code, outcome.failure.message, outcome.failure.retryable, after, usage);
    }
    usage += outcome.response->usage;
    limiter_.record(outcome.response->model.empty() ? request.model : outcome.response->model, outcome.response->usage);
    auto tool_uses = outcome.response->tool_uses();
    if (tool_uses.empty() || !request.tools_allowed || request.tools.empty()) {
      std::string text = outcome.response->text();
      if (trim(text).empty())  // a task is never "completed" with nothing said (tool calls on the last turn, a non-text content)
        return fail(ErrorCode::model_error, tool_uses.empty() ? "the model gave an empty answer" : "the model asked for tools on its last turn instead of answering",
                    true, std::nullopt, usage);
      if (conversation.format == ResponseFormat::json) {
        auto checked = json_answer(text);
        if (!checked && corrections == 0) {
          ++corrections;
          logger_.warn("answer.not_json", {{"task_id", conversation.task_id}, {"why", checked.error().message}});
          request.messages.push_back({"assistant", {llm::Block::make_text(text.empty() ? "(no answer)" : text)}});
          request.messages.push_back({"user", {llm::Block::make_text(json_correction(checked.error().message))}});
          if (conversation.checkpoint) conversation.checkpoint->turn_done(request.messages, usage, gathered, iteration, corrections);
          continue;
        }
        if (!checked)
          return fail(ErrorCode::model_error, "the model's answer was not valid JSON, asked twice: " + checked.error().message, true,
                      std::nullopt, usage);
        text = std::move(*checked);
      }
      AgentAnswer answer;
      answer.completed = true;
      answer.usage = usage;
      answer.result.content = std::move(text);
      answer.result.format = std::string(response_format_name(conversation.format));
      auto& meta = answer.result.metadata;
      meta.model = outcome.response->model.empty() ? request.model : outcome.response->model;
      meta.input_tokens = usage.input_tokens;
      meta.output_tokens = usage.output_tokens;
      meta.cache_read_tokens = usage.cache_read_tokens;
      meta.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      meta.extra = {{"agent", knight.name}, {"toolIterations", iteration - 1}, {"cacheWriteTokens", usage.cache_write_tokens},
                    {"costUsd", static_cast<double>(usage.cost_micro_usd) / 1e6}, {"costKnown", usage.cost_known}};
      return answer;
    }
    request.messages.push_back({"assistant", outcome.response->content});
    if (conversation.checkpoint) conversation.checkpoint->turn_done(request.messages, usage, gathered, iteration, corrections);
    llm::Message results{"user", {}};
    for (const auto& use : tool_uses) {
      if (conversation.canceled && conversation.canceled())
        return fail(ErrorCode::cancelled, "canceled between tool calls", false, std::nullopt, usage);
      auto tool_call = begin_tool_call(conversation.trace, use.tool_name);
      ToolContext context{conversation.task_id, conversation.progress, {}, request.deadline, context_of(tool_call), conversation.canceled};
      if (conversation.checkpoint) conversation.checkpoint->tool_starting(results, use);
      auto result = use.tool_input.is_object() ? tools_.run(use.tool_name, use.tool_input, context) : unusable_arguments(use);
      end_tool_call(conversation.trace, std::move(tool_call), result);
      usage += context.usage;
      metrics_.add("roundtable_gateway_tool_calls_total", 1, {{"tool", use.tool_name}, {"outcome", result.is_error ? "error" : "ok"}});
      logger_.info("tool.called", {{"task_id", conversation.task_id}, {"tool", use.tool_name}, {"error", result.is_error}});
      if (!result.is_error) gathered += (gathered.empty() ? "" : "\n\n") + result.content;
      results.content.push_back(llm::Block::make_tool_result(use.tool_id, result.content, result.is_error));
      if (conversation.checkpoint) conversation.checkpoint->tool_finished(results, usage, gathered);
      if (conversation.progress)
        conversation.progress({std::min(90, iteration * 90 / knight.max_tool_iterations), "ran " + use.tool_name, {}});
    }
    request.messages.push_back(std::move(results));
  }
  return fail(ErrorCode::internal_error, "no answer within max_tool_iterations", true, std::nullopt, usage);
}

}  // namespace rt::gateway
