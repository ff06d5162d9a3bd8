// The dashboard's fleet model and its event hub: knights going down, a task's lifecycle from
// request to result, dead letters, children, bounds, and slow clients dropped.
#include <gtest/gtest.h>

#include "roundtable/cli/dashboard/fleet_state.hpp"
#include "roundtable/cli/dashboard/sse_hub.hpp"

namespace rt::cli::dashboard {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

SystemTime at(const char* text) { return *parse_rfc3339(text); }

std::string envelope(const std::string& type, const std::string& from, const std::string& time, json payload,
                     const std::string& correlation = "", const std::string& id = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b") {
  json env = {{"id", id}, {"version", "1.0"}, {"type", type}, {"from", from}, {"timestamp", time}, {"payload", payload}};
  if (!correlation.empty()) env["correlationId"] = correlation;
  return env.dump();
}

std::string beat(const std::string& agent, const std::string& time, const std::string& status = "healthy") {
  return envelope("heartbeat", agent, time,
                  {{"status", status}, {"model", "claude-sonnet-4-5"}, {"capabilities", {"security.briefing"}}, {"activeTaskCount", 1},
                   {"consumers", {{{"name", "fleet-a-galahad-security"}, {"pending", 3}}}}});
}

struct Recorder {
  std::vector<std::pair<std::string, json>> deltas;
  FleetState::Listener listener() {
    return [this](const std::string& kind, const json& data) { deltas.emplace_back(kind, data); };
  }
};

TEST(DashboardState, KnightIsDownAfterOneAndAHalfOfItsObservedIntervalsWithoutHeartbeat) {
  Recorder r;
  FleetState state("fleet-a", {}, r.listener());
  state.on_message("fleet-a.heartbeat.galahad", beat("galahad", "2026-11-29T10:00:00Z"), at("2026-11-29T10:00:00Z"));
  state.on_message("fleet-a.heartbeat.galahad", beat("galahad", "2026-11-29T10:00:02Z"), at("2026-11-29T10:00:02Z"));
  auto k = state.snapshot(at("2026-11-29T10:00:02Z"))["knights"][0];
  EXPECT_EQ(k["status"], "healthy");
  EXPECT_EQ(k["model"], "claude-sonnet-4-5");
  EXPECT_EQ(k["lag"], 3);
  EXPECT_EQ(k["intervalMs"], 2000);
  state.tick(at("2026-11-29T10:00:04.900Z"));
  EXPECT_EQ(state.snapshot(at("2026-11-29T10:00:04.900Z"))["knights"][0]["status"], "healthy") << "within 1.5 intervals";
  size_t before = r.deltas.size();
  state.tick(at("2026-11-29T10:00:05.100Z"));
  k = state.snapshot(at("2026-11-29T10:00:05.100Z"))["knights"][0];
  EXPECT_EQ(k["status"], "down");
  EXPECT_TRUE(k["down"].get<bool>());
  EXPECT_EQ(k["downReason"], "no heartbeat since 10:00:02 UTC (one every 2.0s)");
  ASSERT_EQ(r.deltas.size(), before + 1);
  EXPECT_EQ(r.deltas.back().first, "knight");
  state.tick(at("2026-11-29T10:00:06Z"));
  EXPECT_EQ(r.deltas.size(), before + 1) << "down is announced once";
  state.on_message("fleet-a.heartbeat.galahad", beat("galahad", "2026-11-29T10:00:07Z"), at("2026-11-29T10:00:07Z"));
  EXPECT_EQ(state.snapshot(at("2026-11-29T10:00:07Z"))["knights"][0]["status"], "healthy") << "back with its next heartbeat";
}

TEST(DashboardState, AnEarlyExtraHeartbeatDoesNotShortenTheInterval) {
  FleetState state("fleet-a", {});
  for (const char* t : {"2026-11-29T10:00:00Z", "2026-11-29T10:00:10Z", "2026-11-29T10:00:10.200Z"})
    state.on_message("fleet-a.heartbeat.galahad", beat("galahad", t), at(t));
  EXPECT_EQ(state.snapshot(at("2026-11-29T10:00:11Z"))["knights"][0]["intervalMs"], 10000);
}

TEST(DashboardState, OfflineEventShowsTheKnightOfflineAtOnceAndOlderHeartbeatsDoNotRevive) {
  FleetState state("fleet-a", {});
  state.on_message("fleet-a.heartbeat.galahad", beat("galahad", "2026-11-29T10:00:00Z"), at("2026-11-29T10:00:00Z"));
  state.on_message("roundtable.events.fleet-a.knight.offline",
                   envelope("knight.offline", "galahad", "2026-11-29T10:00:01Z", {{"agent", "galahad"}, {"reason", "shutdown"}}),
                   at("2026-11-29T10:00:01Z"));
  state.on_message("fleet-a.heartbeat.galahad", beat("galahad", "2026-11-29T10:00:00.500Z"), at("2026-11-29T10:00:01.100Z"));
  auto k = state.snapshot(at("2026-11-29T10:00:01.200Z"))["knights"][0];
  EXPECT_EQ(k["status"], "offline");
  EXPECT_EQ(k["downReason"], "offline: shutdown");
}

TEST(DashboardState, TaskGoesFromRequestToClaimToResultWithDurationTokensAndCost) {
  Recorder r;
  FleetState state("fleet-a", {}, r.listener());
  const std::string id = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09";
  state.on_message("fleet-a.tasks.security.briefing",
                   envelope("task.request", "cli", "2026-11-29T10:00:00Z", {{"task", "security.briefing"}}, "", id), at("2026-11-29T10:00:00Z"));
  EXPECT_EQ(r.deltas.back().second["status"], "queued");
  state.on_message("roundtable.events.fleet-a.task.claimed",
                   envelope("task.claimed", "galahad", "2026-11-29T10:00:01Z", {{"agent", "galahad"}, {"attempt", 1}}, id),
                   at("2026-11-29T10:00:01Z"));
  EXPECT_EQ(r.deltas.back().second["status"], "running");
  json result = {{"status", "completed"},
                 {"result", {{"content", "## Briefing\nall quiet"}, {"metadata", {{"inputTokens", 100}, {"outputTokens", 20}, {"durationMs", 850},
                                                                                   {"attempt", 1}, {"costUsd", 0.0006}, {"model", "m"}}}}}};
  state.on_message("fleet-a.results.security." + id, envelope("task.result", "galahad", "2026-11-29T10:00:02Z", result, id), at("2026-11-29T10:00:02Z"));
  auto t = r.deltas.back().second;
  EXPECT_EQ(t["status"], "completed");
  EXPECT_EQ(t["task"], "security.briefing");
  EXPECT_EQ(t["agent"], "galahad");
  EXPECT_EQ(t["durationMs"], 850);
  EXPECT_EQ(t["tokens"], 120);
  EXPECT_EQ(t["attempts"], 1);
  EXPECT_EQ(t["summary"], "Briefing");
  EXPECT_EQ(state.observed_spend(at("2026-11-29T12:00:00Z")).micro_usd["galahad"], 600);
  // A late claim (another delivery's) does not reopen a finished task.
  state.on_message("roundtable.events.fleet-a.task.claimed",
                   envelope("task.claimed", "galahad", "2026-11-29T10:00:03Z", {{"agent", "galahad"}, {"attempt", 2}}, id),
                   at("2026-11-29T10:00:03Z"));
  EXPECT_EQ(r.deltas.back().second["status"], "completed");
  auto trace = state.trace(id);
  ASSERT_TRUE(trace);
  ASSERT_EQ((*trace)["events"].size(), 4u);
  EXPECT_EQ((*trace)["events"][0]["type"], "task.request");
  EXPECT_EQ((*trace)["events"][2]["type"], "task.result");
}

TEST(DashboardState, DeadLetterKeepsItsReasonWhateverTheOrderOfItsFailureAndDeadLetter) {
  FleetState state("fleet-a", {});
  const std::string id = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09";
  state.on_message("roundtable.events.fleet-a.task.deadletter",
                   envelope("task.deadletter", "galahad", "2026-11-29T10:00:02Z",
                            {{"attempts", 1}, {"error", "model_error"}, {"message", "the LLM API failed: 500"}, {"task", "security.scan"}}, id),
                   at("2026-11-29T10:00:02Z"));
  state.on_message("fleet-a.results.security." + id,
                   envelope("task.failed", "galahad", "2026-11-29T10:00:02Z", {{"error", "model_error"}, {"message", "the LLM API failed: 500"}, {"attempt", 1}}, id),
                   at("2026-11-29T10:00:02Z"));
  auto t = state.snapshot(at("2026-11-29T10:00:03Z"))["tasks"][0];
  EXPECT_EQ(t["status"], "deadletter");
  EXPECT_EQ(t["task"], "security.scan");
  EXPECT_EQ(t["error"], "model_error");
  EXPECT_EQ(t["reason"], "the LLM API failed: 500");
}

TEST(DashboardState, ChildTasksAreListedInTheirParentsTrace) {
  FleetState state("fleet-a", {});
  const std::string parent = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09", child = "0c4f9d0e-2a52-4c36-9a47-6e4f3f1f5b8e";
  state.on_message("fleet-a.tasks.lead.ask", envelope("task.request", "cli", "2026-11-29T10:00:00Z", {{"task", "lead.ask"}}, "", parent), at("2026-11-29T10:00:00Z"));
  state.on_message("fleet-a.tasks.security.briefing",
                   envelope("task.request", "tim", "2026-11-29T10:00:01Z", {{"task", "security.briefing"}}, parent, child), at("2026-11-29T10:00:01Z"));
  auto trace = state.trace(parent);
  ASSERT_TRUE(trace);
  ASSERT_EQ((*trace)["children"].size(), 1u);
  EXPECT_EQ((*trace)["children"][0]["id"], child);
  EXPECT_FALSE(state.trace("nothing-like-it"));
}

TEST(DashboardState, BoundedInTasksEventsAndText) {
  FleetState::Limits limits;
  limits.max_tasks = 3;
  limits.max_events_per_task = 8;
  limits.max_text = 10;
  FleetState state("fleet-a", limits);
  for (int i = 0; i < 5; ++i)
    state.on_message("roundtable.events.fleet-a.task.claimed",
                     envelope("task.claimed", "galahad", "2026-11-29T10:00:00Z", {{"agent", "galahad"}}, "task-" + std::to_string(i)), at("2026-11-29T10:00:00Z"));
  auto tasks = state.snapshot(at("2026-11-29T10:00:01Z"))["tasks"];
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0]["id"], "task-4") << "newest first, oldest dropped";
  for (int i = 0; i < 20; ++i)
    state.on_message("roundtable.events.fleet-a.task.progress",
                     envelope("task.progress", "galahad", "2026-11-29T10:00:02Z", {{"percent", i}, {"message", std::string(50, 'x')}}, "task-4"),
                     at("2026-11-29T10:00:02Z"));
  auto events = (*state.trace("task-4"))["events"];
  EXPECT_EQ(events.size(), 8u);
  EXPECT_EQ(events[0]["type"], "task.claimed") << "the first events stay";
  EXPECT_LE(events[7]["text"].get<std::string>().size(), 13u);
}

TEST(DashboardState, OtherFleetsAndGarbageAreIgnored) {
  FleetState state("fleet-a", {});
  state.on_message("fleet-b.heartbeat.mordred", beat("mordred", "2026-11-29T10:00:00Z"), at("2026-11-29T10:00:00Z"));
  state.on_message("fleet-a.heartbeat.galahad", "not json {", at("2026-11-29T10:00:00Z"));
  state.on_message("fleet-a.heartbeat.galahad", std::string(200, '['), at("2026-11-29T10:00:00Z"));
  EXPECT_TRUE(state.snapshot(at("2026-11-29T10:00:00Z"))["knights"].empty());
}

TEST(DashboardSse, SlowClientIsDroppedAndTheClientCountIsCapped) {
  SseHub hub(SseHub::Limits{2, 3, 50ms});
  auto fast = hub.join("first");
  auto slow = hub.join("first");
  ASSERT_TRUE(fast && slow);
  EXPECT_FALSE(hub.join("first")) << "at most max_clients";
  std::string frames;
  for (int i = 0; i < 5; ++i) {
    hub.broadcast("task", "{}");
    ASSERT_TRUE(hub.next(*fast, frames));
  }
  EXPECT_FALSE(hub.next(*slow, frames)) << "fell more than max_queue frames behind";
  hub.leave(slow);
  EXPECT_TRUE(hub.join("again")) << "its place is free again";
  ASSERT_TRUE(hub.next(*fast, frames));
  EXPECT_EQ(frames, "") << "a quiet keepalive period";
  hub.close();
  EXPECT_FALSE(hub.next(*fast, frames));
}

}  // namespace
}  // namespace rt::cli::dashboard
