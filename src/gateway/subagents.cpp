#include <condition_variable>
#include <thread>

#include "roundtable/gateway/rate_limiter.hpp"
#include "roundtable/gateway/tools.hpp"

namespace rt::gateway {
namespace {

using nlohmann::json;

constexpr size_t kMaxSubTasks = 16;

class SpawnSubagents final : public Tool {
 public:
  SpawnSubagents(llm::Provider& provider, RateLimiter& limiter, std::string model, int max_parallel, std::string soul, Logger logger)
      : provider_(provider), limiter_(limiter), model_(std::move(model)), max_parallel_(std::max(1, max_parallel)),
        soul_(std::move(soul)), logger_(std::move(logger)) {}
  // No side effects: an interrupted run only costs its sub-agents' tokens again.
  bool idempotent() const override { return true; }

  llm::ToolSpec spec() const override {
    return {"spawn_subagents",
            "Run several independent sub-tasks in parallel on a lighter model and get all their answers back.",
            {{"type", "object"},
             {"properties", {{"tasks", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "one prompt per sub-task"}}}}},
             {"required", {"tasks"}}}};
  }

  ToolResult run(const json& input, ToolContext& context) override {
    if (!input.is_object() || !input.contains("tasks") || !input["tasks"].is_array() || input["tasks"].empty())
      return {"spawn_subagents needs a non-empty 'tasks' array of prompts", true};
    std::vector<std::string> prompts;
    for (const auto& t : input["tasks"])
      if (t.is_string()) prompts.push_back(t.get<std::string>());
    if (prompts.empty() || prompts.size() > kMaxSubTasks) return {"between 1 and 16 string prompts, please", true};

    std::vector<json> answers(prompts.size());
    std::vector<contract::SubTask> status(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) status[i] = {"sub-" + std::to_string(i + 1), "pending", prompts[i].substr(0, 80)};
    std::mutex mutex;
    std::condition_variable slot_free;
    int running = 0;
    size_t done = 0;
    std::vector<std::thread> threads;
    for (size_t i = 0; i < prompts.size(); ++i) {
      {
        std::unique_lock lock(mutex);
        slot_free.wait(lock, [&] { return running < max_parallel_; });
        ++running;
      }
      threads.emplace_back([&, i] {
        auto answer = run_one(prompts[i], context.deadline);
        std::lock_guard lock(mutex);
        answers[i] = answer.first;
        context.usage += answer.second;
        status[i].status = answers[i].value("status", "failed");
        ++done;
        --running;
        if (context.progress)
          context.progress({static_cast<int>(done * 80 / prompts.size()),
                            "sub-agent " + std::to_string(done) + "/" + std::to_string(prompts.size()) + " finished", status});
        slot_free.notify_all();
      });
    }
    for (auto& t : threads) t.join();
    json out = json::array();
    for (size_t i = 0; i < prompts.size(); ++i) out.push_back({{"id", status[i].id}, {"prompt", prompts[i]}, {"result", answers[i]}});
    return {out.dump(), false};
  }

 private:
  std::pair<json, llm::Usage> run_one(const std::string& prompt, std::optional<std::chrono::steady_clock::time_point> deadline) {
    auto admission = limiter_.admit();
    if (!admission.allowed) return {{{"status", "failed"}, {"error", admission.reason}}, {}};
    llm::Request request;
    request.model = model_;
    request.system = soul_ + "\n\nYou are a sub-agent: answer only the sub-task below, briefly.";
    request.messages = {{"user", {llm::Block::make_text(prompt)}}};
    request.max_tokens = 1000;
    request.deadline = deadline;
    auto outcome = provider_.complete(request);
    if (!outcome.ok()) return {{{"status", "failed"}, {"error", outcome.failure.message}}, {}};
    limiter_.record(outcome.response->model.empty() ? model_ : outcome.response->model, outcome.response->usage);
    return {{{"status", "completed"}, {"answer", outcome.response->text()}}, outcome.response->usage};
  }

  llm::Provider& provider_;
  RateLimiter& limiter_;
  std::string model_;
  int max_parallel_;
  std::string soul_;
  Logger logger_;
};

}  // namespace

std::unique_ptr<Tool> make_spawn_subagents_tool(llm::Provider& provider, RateLimiter& limiter, std::string model, int max_parallel,
                                                std::string soul, Logger logger) {
  return std::make_unique<SpawnSubagents>(provider, limiter, std::move(model), max_parallel, std::move(soul), std::move(logger));
}

}  // namespace rt::gateway
