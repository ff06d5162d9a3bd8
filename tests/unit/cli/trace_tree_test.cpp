// The task tree from events and results alone, and its waterfall.
#include <gtest/gtest.h>

#include "roundtable/cli/trace_tree.hpp"
#include "roundtable/cli/trace_view.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;

constexpr const char* kLead = "11111111-1111-4111-8111-111111111111";
constexpr const char* kChild = "22222222-2222-4222-8222-222222222222";
constexpr const char* kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

SystemTime at(int ms) { return SystemTime{} + std::chrono::hours(24 * 365 * 50) + std::chrono::milliseconds(ms); }

BusRecord event(const std::string& type, const std::string& task, json payload, int ms, const char* parent = nullptr) {
  json env = {{"type", type}, {"correlationId", task}, {"from", "x"}, {"payload", payload}, {"trace", {{"traceparent", kTrace}}}};
  if (parent) env["parentTaskId"] = parent;
  return {"roundtable.events.fleet-a." + type, env, at(ms)};
}

BusRecord result(const std::string& domain, const std::string& task, const std::string& agent, json metadata, int ms,
                 const char* parent = nullptr) {
  json env = {{"type", "task.result"}, {"correlationId", task}, {"from", agent},
              {"payload", {{"status", "completed"}, {"result", {{"content", "secret"}, {"metadata", metadata}}}}}};
  if (parent) env["parentTaskId"] = parent;
  return {"fleet-a.results." + domain + "." + task, env, at(ms)};
}

std::vector<BusRecord> records() {
  return {
      event("task.claimed", kLead, {{"agent", "tim"}, {"attempt", 1}, {"task", "lead.briefing"}}, 0),
      event("task.claimed", kChild, {{"agent", "galahad"}, {"attempt", 1}, {"task", "security.briefing"}}, 100, kLead),
      event("task.retrying", kChild, {{"attempt", 1}, {"error", "model_error"}}, 200, kLead),
      event("task.claimed", kChild, {{"agent", "galahad"}, {"attempt", 2}, {"task", "security.briefing"}}, 300, kLead),
      result("security", kChild, "galahad",
             {{"attempt", 2}, {"durationMs", 150}, {"inputTokens", 100}, {"outputTokens", 20}, {"costUsd", 0.5}, {"model", "m"},
              {"steps", json::array({{{"name", "chat m"}, {"kind", "llm"}, {"startMs", 10}, {"durationMs", 100}, {"inputTokens", 100},
                                      {"outputTokens", 20}, {"finishReason", "end_turn"}}})}},
             500, kLead),
      result("lead", kLead, "tim", {{"attempt", 1}, {"durationMs", 900}, {"inputTokens", 0}, {"outputTokens", 0}}, 1000),
      event("task.claimed", "33333333-3333-4333-8333-333333333333", {{"agent", "other"}, {"attempt", 1}}, 50),  // unrelated
  };
}

TEST(TraceTree, LeadWithADelegatedTaskItsAttemptsAndSteps) {
  auto tree = build_trace_tree(kLead, records());
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->task, "lead.briefing");
  EXPECT_EQ(tree->status, "completed");
  EXPECT_EQ(tree->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  ASSERT_EQ(tree->children.size(), 1u) << "the unrelated task is not a child";
  const TraceNode& child = tree->children[0];
  EXPECT_EQ(child.task, "security.briefing");
  EXPECT_EQ(child.agent, "galahad");
  ASSERT_EQ(child.attempts.size(), 2u);
  EXPECT_EQ(child.attempts[0].outcome, "retrying: model_error");
  EXPECT_EQ(child.attempts[1].outcome, "completed");
  ASSERT_TRUE(child.gateway);
  EXPECT_EQ(child.gateway->start, at(350));
  ASSERT_EQ(child.gateway->steps.size(), 1u);
  EXPECT_EQ(child.gateway->steps[0].name, "chat m");
  EXPECT_EQ(total_tokens(*tree), 120);
  EXPECT_DOUBLE_EQ(total_cost(*tree), 0.5);
  EXPECT_EQ(count_tasks(*tree), 2u);
  EXPECT_FALSE(build_trace_tree("44444444-4444-4444-8444-444444444444", records()));
}

// A call answered within the bridge's CLAIM_NOTICE_AFTER has no task.claimed: its attempt starts
// where its result says the call did.
TEST(TraceTree, AnAttemptWithoutAClaimStartsWhereItsResultSaysTheCallDid) {
  auto tree = build_trace_tree(kChild, {result("security", kChild, "galahad", {{"attempt", 1}, {"durationMs", 40}}, 500)});
  ASSERT_TRUE(tree);
  ASSERT_EQ(tree->attempts.size(), 1u);
  EXPECT_EQ(tree->attempts[0].start, at(460));
  EXPECT_EQ(tree->attempts[0].end, at(500));
  EXPECT_EQ(tree->attempts[0].agent, "galahad");
  EXPECT_EQ(tree->start, at(460));
}

TEST(TraceTree, WaterfallShowsEveryLevelAndNeverTheContent) {
  auto tree = build_trace_tree(kLead, records());
  std::string out = trace_waterfall(*tree, 120);
  for (const char* text : {"trace 4bf92f3577b34da6a3ce929d0e0e4736  2 tasks  1.00s  120 tokens  $0.5000", "lead.briefing (tim) completed",
                           "  security.briefing (galahad) completed, 2 att", "attempt 1 galahad retrying: model_error",
                           "attempt 2 galahad completed", "gateway m", "chat m 100/20 tok end_turn"})
    EXPECT_NE(out.find(text), std::string::npos) << text << "\n" << out;
  EXPECT_EQ(out.find("secret"), std::string::npos);
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1)
    EXPECT_LE(end - start, 120u) << out.substr(start, end - start);
}

TEST(TraceTree, HostileRecordsNeitherCrashNorLoop) {
  auto r = records();
  json cyclic = {{"type", "task.claimed"}, {"correlationId", kLead}, {"parentTaskId", kChild}, {"payload", "not an object"},
                 {"trace", "\x1b[31m"}};
  r.push_back({"roundtable.events.fleet-a.task.claimed", cyclic, at(5)});
  r.push_back({"roundtable.events.fleet-a.task.claimed", json::array(), at(6)});
  auto tree = build_trace_tree(kLead, r);
  ASSERT_TRUE(tree);
  std::string out = trace_waterfall(*tree, 80);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace rt::cli
