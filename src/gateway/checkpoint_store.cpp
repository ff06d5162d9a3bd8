#include "roundtable/gateway/checkpoint_store.hpp"

#include <algorithm>

#include "roundtable/common/time.hpp"

namespace rt::gateway {

namespace {

bool has_result(const std::vector<llm::Block>& results, const std::string& call_id) {
  return std::any_of(results.begin(), results.end(), [&](const llm::Block& b) { return b.tool_id == call_id; });
}

std::string interrupted_message(const std::string& tool) {
  return "interrupted: the skill " + tool +
         " was running when the knight stopped; it was not re-run because it is not marked idempotent";
}

}  // namespace

CheckpointStore::CheckpointStore(redis::Client& redis, std::string fleet, std::string agent, CheckpointSettings settings,
                                 http::MetricsRegistry& metrics, Logger logger)
    : redis_(redis), fleet_(std::move(fleet)), agent_(std::move(agent)), settings_(settings), metrics_(metrics), logger_(std::move(logger)) {
  metrics_.counter("roundtable_gateway_checkpoint_resumes_total", "Redelivered tasks resumed from a checkpoint.");
  metrics_.add("roundtable_gateway_checkpoint_resumes_total", 0);
  metrics_.counter("roundtable_gateway_checkpoint_turns_saved_total", "LLM turns not repeated thanks to checkpoints.");
  metrics_.add("roundtable_gateway_checkpoint_turns_saved_total", 0);
}

std::string CheckpointStore::key(const std::string& task_id) const { return "rt:" + fleet_ + ":ckpt:" + agent_ + ":" + task_id; }

std::shared_ptr<TaskCheckpoint> CheckpointStore::for_task(const std::string& task_id, int attempt) {
  return std::make_shared<TaskCheckpoint>(*this, task_id, attempt);
}

TaskCheckpoint::TaskCheckpoint(CheckpointStore& store, std::string task_id, int attempt)
    : store_(store), key_(store.key(task_id)), attempt_(attempt) {
  state_.fleet = store.fleet_;
  state_.agent = store.agent_;
  state_.task_id = std::move(task_id);
}

std::optional<Checkpoint> TaskCheckpoint::resume(const ToolRegistry& tools, const std::function<void(const contract::Progress&)>& progress,
                                                 std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (attempt_ <= 1) return std::nullopt;
  const auto& log = store_.logger_;
  nlohmann::json fields = {{"task_id", state_.task_id}, {"attempt", attempt_}};
  auto raw = store_.redis_.get(key_);
  if (!raw) {
    log.warn("checkpoint.unreadable", {{"task_id", state_.task_id}, {"why", raw.error().message}});
    return std::nullopt;
  }
  if (!raw->has_value()) {
    log.info("checkpoint.none", fields);
    return std::nullopt;
  }
  auto saved = decode_checkpoint(**raw);
  if (saved && (saved->fleet != state_.fleet || saved->agent != state_.agent || saved->task_id != state_.task_id))
    saved = make_error(ErrorCode::invalid_params, "checkpoint of another task");
  if (!saved) {
    fields["why"] = saved.error().message;
    log.warn("checkpoint.corrupt", fields);  // start afresh: a damaged checkpoint only costs the saving
    drop("corrupt");
    enabled_ = true;  // this attempt writes its own
    return std::nullopt;
  }
  state_ = std::move(*saved);
  fields["turns"] = state_.turns;
  if (state_.in_flight) fields["interrupted_tool"] = state_.in_flight->name;
  log.info("checkpoint.resumed", fields);
  store_.metrics_.add("roundtable_gateway_checkpoint_resumes_total");
  store_.metrics_.add("roundtable_gateway_checkpoint_turns_saved_total", state_.turns);

  // The turn's tool calls that have no result yet: never started, or interrupted.
  Checkpoint resumed = state_;
  const auto& last = state_.messages.back();
  if (last.role != "assistant") return resumed;
  llm::Message results{"user", state_.tool_results};
  for (const auto& use : last.content) {
    if (use.kind != llm::Block::Kind::tool_use || has_result(results.content, use.tool_id)) continue;
    bool was_running = state_.in_flight && state_.in_flight->call_id == use.tool_id;
    ToolResult result;
    if (was_running && !tools.idempotent(use.tool_name)) {
      result = {interrupted_message(use.tool_name), true};
      log.warn("checkpoint.tool_interrupted", {{"task_id", state_.task_id}, {"tool", use.tool_name}});
    } else {
      tool_starting(results, use);
      ToolContext run_context;
      run_context.task_id = state_.task_id;
      run_context.progress = progress;
      run_context.deadline = deadline;
      result = tools.run(use.tool_name, use.tool_input, run_context);
      resumed.usage += run_context.usage;
      if (!result.is_error) resumed.gathered += (resumed.gathered.empty() ? "" : "\n\n") + result.content;
      log.info("checkpoint.tool_run", {{"task_id", state_.task_id}, {"tool", use.tool_name}, {"rerun", was_running},
                                       {"error", result.is_error}});
      store_.metrics_.add("roundtable_gateway_tool_calls_total", 1, {{"tool", use.tool_name}, {"outcome", result.is_error ? "error" : "ok"}});
    }
    results.content.push_back(llm::Block::make_tool_result(use.tool_id, result.content, result.is_error));
    tool_finished(results, resumed.usage, resumed.gathered);
  }
  resumed.messages.push_back(std::move(results));
  resumed.tool_results.clear();
  resumed.in_flight.reset();
  return resumed;
}

void TaskCheckpoint::turn_done(const std::vector<llm::Message>& messages, const llm::Usage& usage, const std::string& gathered, int turns,
                               int corrections) {
  state_.messages = messages;
  state_.tool_results.clear();
  state_.in_flight.reset();
  state_.usage = usage;
  state_.gathered = gathered;
  state_.turns = turns;
  state_.corrections = corrections;
  save();
}

void TaskCheckpoint::tool_starting(const llm::Message& results, const llm::Block& use) {
  state_.tool_results = results.content;
  state_.in_flight = InFlightTool{use.tool_name, use.tool_id, format_rfc3339(std::chrono::system_clock::now())};
  save();
}

void TaskCheckpoint::tool_finished(const llm::Message& results, const llm::Usage& usage, const std::string& gathered) {
  state_.tool_results = results.content;
  state_.in_flight.reset();
  state_.usage = usage;
  state_.gathered = gathered;
  save();
}

void TaskCheckpoint::settle(bool final_answer) {
  if (final_answer) drop("answered");
}

void TaskCheckpoint::save() {
  if (!enabled_) return;
  std::string value = encode_checkpoint(state_);
  if (value.size() > store_.settings_.max_bytes) {
    store_.logger_.warn("checkpoint.too_large", {{"task_id", state_.task_id}, {"bytes", value.size()},
                                                 {"max_bytes", store_.settings_.max_bytes}, {"setting", "CHECKPOINT_MAX_BYTES"}});
    drop("too_large");  // an older checkpoint would still be right, but it would resume further back than it says
    return;
  }
  if (auto status = store_.redis_.set(key_, value, store_.settings_.ttl); !status)
    store_.logger_.warn("checkpoint.save_failed", {{"task_id", state_.task_id}, {"why", status.error().message}});
}

// Removes the checkpoint; this attempt writes no other.
void TaskCheckpoint::drop(const char* why) {
  enabled_ = false;
  if (auto status = store_.redis_.del(key_); !status)
    store_.logger_.warn("checkpoint.remove_failed", {{"task_id", state_.task_id}, {"why", status.error().message}, {"reason", why}});
}

}  // namespace rt::gateway
