#include <algorithm>
#include <cstdio>

#include "roundtable/contract/subjects.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/nats/task_client.hpp"
#include "roundtable/trace/propagation.hpp"

namespace rt::gateway {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kCancelPoll{200};  // how soon a waiting lead notices its task was cancelled

class DelegateTool final : public Tool {
 public:
  DelegateTool(nats::TaskClient& client, std::vector<Delegate> defaults, std::chrono::milliseconds deadline, Logger logger)
      : client_(client), defaults_(std::move(defaults)), deadline_(deadline), logger_(std::move(logger)) {}

  llm::ToolSpec spec() const override {
    std::string known;
    for (const auto& d : defaults_) known += (known.empty() ? "" : ", ") + d.agent + " (" + d.task + ")";
    return {"delegate",
            "Send tasks to the fleet's knights in parallel and wait for their answers. With no 'tasks', asks every "
            "knight on the roster: " + known + ".",
            {{"type", "object"},
             {"properties",
              {{"tasks", {{"type", "array"},
                          {"items", {{"type", "object"},
                                     {"properties", {{"agent", {{"type", "string"}}}, {"task", {{"type", "string"}}},
                                                     {"params", {{"type", "object"}}}}},
                                     {"required", {"task"}}}}}},
               {"deadlineSeconds", {{"type", "integer"}}}}}}};
  }

  ToolResult run(const json& input, ToolContext& context) override {
    std::vector<Delegate> orders = defaults_;
    if (input.is_object() && input.contains("tasks") && input["tasks"].is_array() && !input["tasks"].empty()) {
      orders.clear();
      for (const auto& t : input["tasks"]) {
        if (!t.is_object() || !t.contains("task") || !t["task"].is_string() || !contract::parse_task_name(t["task"].get<std::string>()))
          return {"every task needs 'task' as <domain>.<action>", true};
        orders.push_back({t.value("agent", ""), t["task"], t.value("params", json::object())});
      }
    }
    if (orders.empty()) return {"no knights to delegate to: give 'tasks' or list 'delegates' in knight.yaml", true};
    auto started = std::chrono::steady_clock::now();
    auto deadline = deadline_;
    if (input.is_object() && input.contains("deadlineSeconds") && input["deadlineSeconds"].is_number_integer())
      deadline = std::chrono::seconds(std::clamp<int64_t>(input["deadlineSeconds"].get<int64_t>(), 1, 3600));
    std::vector<std::string> ids;
    for (const auto& order : orders) {
      nats::TaskOrder task{order.task, order.params, contract::Priority::normal,
                           order.agent.empty() ? std::nullopt : std::optional(order.agent), std::nullopt};
      nats::SendOptions options;
      if (!context.task_id.empty()) {
        options.correlation_id = context.task_id;
        options.envelope_fields["parentTaskId"] = context.task_id;  // docs/contract.md §4: the delegating task
      }
      options.ttl = std::chrono::duration_cast<std::chrono::seconds>(deadline) + std::chrono::seconds(60);
      if (context.trace) options.headers = trace::headers_for(*context.trace);  // a child of the lead's tool span
      auto id = client_.send(task, options);
      if (!id) return {"could not publish " + order.task + ": " + id.error().message, true};
      ids.push_back(*id);
    }
    if (context.progress) context.progress({10, "delegated " + std::to_string(ids.size()) + " tasks", {}});
    auto wait_until = stop_waiting_at(deadline, context.deadline);
    auto answers = wait_unless_cancelled(ids, wait_until, context);
    bool cancelled = context.canceled && context.canceled();
    cancel_unanswered(answers, cancelled ? "the lead's task was cancelled" : "the lead stopped waiting: its deadline passed");
    if (cancelled) return {"cancelled: the delegated tasks were cancelled too", true};
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(wait_until - started);
    return {render(answers, orders, std::min(deadline, waited)), false};
  }

  // Waits in short slices while the lead's own task can be cancelled, so a cancel is not held
  // up until the delegates' deadline.
  std::vector<nats::TaskAnswer> wait_unless_cancelled(const std::vector<std::string>& ids, std::chrono::steady_clock::time_point until,
                                                      const ToolContext& context) {
    if (!context.canceled) return client_.wait(ids, until);
    while (true) {
      auto answers = client_.wait(ids, std::min(until, std::chrono::steady_clock::now() + kCancelPoll));
      bool all = std::all_of(answers.begin(), answers.end(), [](const nats::TaskAnswer& a) { return a.answered; });
      if (all || std::chrono::steady_clock::now() >= until || context.canceled()) return answers;
    }
  }

  // Delegated tasks nobody will read any more: cancelled, so no knight spends tokens on them.
  void cancel_unanswered(const std::vector<nats::TaskAnswer>& answers, const std::string& reason) {
    for (const auto& answer : answers) {
      if (answer.answered) continue;
      auto status = client_.cancel(answer.task_id, reason);
      logger_.info("delegate.cancelled", {{"task_id", answer.task_id}, {"reason", reason}, {"ok", status.ok()}});
    }
  }

  // The earlier of delegate's own deadline and the task's, less a share kept for the lead to
  // write its answer from what came back.
  static std::chrono::steady_clock::time_point stop_waiting_at(std::chrono::milliseconds own,
                                                                const std::optional<std::chrono::steady_clock::time_point>& task_deadline) {
    auto now = std::chrono::steady_clock::now();
    auto until = now + own;
    if (!task_deadline) return until;
    auto left = *task_deadline - now;
    auto keep_for_answer = std::min<std::chrono::steady_clock::duration>(left / 5, std::chrono::seconds(10));
    return std::max(now, std::min(until, *task_deadline - keep_for_answer));
  }

 private:
  static std::string format_seconds(std::chrono::milliseconds duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(duration.count()) / 1000.0);
    return text;
  }

  static std::string render(const std::vector<nats::TaskAnswer>& answers, const std::vector<Delegate>& orders,
                            std::chrono::milliseconds deadline) {
    std::string out, missing;
    for (size_t i = 0; i < answers.size(); ++i) {
      const auto& a = answers[i];
      std::string who = a.answered ? a.agent : (orders[i].agent.empty() ? a.task : orders[i].agent);
      std::string head = "## " + who + " — " + a.task + " (" + std::to_string(a.elapsed.count()) + " ms)";
      if (!a.answered) {
        out += "## " + who + " — " + a.task + ": no answer within " + format_seconds(deadline) + "\n\n";
        missing += (missing.empty() ? "" : ", ") + who;
      } else if (!a.completed) {
        out += head + ": failed, " + a.content() + "\n\n";
      } else {
        out += head + "\n" + a.content() + "\n\n";
      }
    }
    out += missing.empty() ? "All " + std::to_string(answers.size()) + " knights answered.\n"
                           : "Missing: " + missing + " (no answer before the deadline).\n";
    return out;
  }

  nats::TaskClient& client_;
  std::vector<Delegate> defaults_;
  std::chrono::milliseconds deadline_;
  Logger logger_;
};

}  // namespace

std::unique_ptr<Tool> make_delegate_tool(nats::TaskClient& client, std::vector<Delegate> defaults, std::chrono::milliseconds deadline,
                                         Logger logger) {
  return std::make_unique<DelegateTool>(client, std::move(defaults), deadline, std::move(logger));
}

}  // namespace rt::gateway
