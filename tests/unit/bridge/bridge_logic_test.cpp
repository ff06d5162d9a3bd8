#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "fixtures/process.hpp"
#include "roundtable/bridge/config.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/bridge/task_queue.hpp"

namespace rt::bridge {
namespace {

using contract::Priority;

using Queue = PriorityQueue<std::string>;

TEST(PriorityQueue, CriticalBeforeHighBeforeNormalBeforeLowFifoWithinALevel) {
  Queue queue;
  ASSERT_TRUE(queue.try_lead());
  queue.end_lead_queueing({{Priority::low, "low-1"}, {Priority::normal, "normal-1"}, {Priority::critical, "critical-1"},
                           {Priority::normal, "normal-2"}, {Priority::high, "high-1"}, {Priority::critical, "critical-2"}});
  std::vector<std::string> order;
  while (auto item = queue.try_pop()) order.push_back(*item);
  EXPECT_EQ(order, (std::vector<std::string>{"critical-1", "critical-2", "high-1", "normal-1", "normal-2", "low-1"}));
}

TEST(PriorityQueue, OneLeadsTheLeaderRunsTheFirstOfWhatItReadAndAFollowerGetsTheRest) {
  Queue queue;
  auto [turn, item] = queue.pop_or_lead();
  ASSERT_EQ(turn, Queue::Turn::lead);
  EXPECT_FALSE(queue.try_lead()) << "one leader at a time";
  auto follower = std::async(std::launch::async, [&] { return queue.pop_or_lead(); });
  auto mine = queue.end_lead({{Priority::normal, "normal"}, {Priority::high, "high"}});
  EXPECT_EQ(mine, std::optional<std::string>("high")) << "the leader runs the first in priority order";
  auto [follower_turn, follower_item] = follower.get();
  EXPECT_EQ(follower_turn, Queue::Turn::task);
  EXPECT_EQ(follower_item, std::optional<std::string>("normal"));
  EXPECT_TRUE(queue.try_lead()) << "the lead is free again";
}

TEST(PriorityQueue, NoLeadAfterStopAndCloseDrainsWhatIsLeft) {
  Queue queue;
  ASSERT_TRUE(queue.try_lead());
  queue.end_lead_queueing({{Priority::normal, "left"}});
  queue.stop_leading();
  EXPECT_FALSE(queue.try_lead());
  queue.wait_lead_ended();
  queue.close();
  auto [turn, item] = queue.pop_or_lead();
  EXPECT_EQ(turn, Queue::Turn::task);
  EXPECT_EQ(item, std::optional<std::string>("left"));
  EXPECT_EQ(queue.pop_or_lead().first, Queue::Turn::closed);
}

TEST(PriorityQueue, AKeptLeadIsNobodyElsesUntilPassedAndTheKeeperMayReadAgain) {
  Queue queue;
  ASSERT_EQ(queue.pop_or_lead().first, Queue::Turn::lead);
  auto mine = queue.end_lead({{Priority::normal, "only"}}, /*keep_lead=*/true);
  EXPECT_EQ(mine, std::optional<std::string>("only"));
  EXPECT_FALSE(queue.try_lead()) << "kept through the task";
  queue.wait_lead_ended();  // returns: a kept lead does not read the intake
  EXPECT_EQ(queue.pop_or_lead(/*keeping_lead=*/true).first, Queue::Turn::lead) << "the keeper reads again without waking anyone";
  queue.end_lead({}, /*keep_lead=*/true);
  auto follower = std::async(std::launch::async, [&] { return queue.pop_or_lead(); });
  queue.pass_lead();
  EXPECT_EQ(follower.get().first, Queue::Turn::lead) << "passed to a waiting worker";
  EXPECT_FALSE(queue.try_lead());
}

TEST(PriorityQueue, AKeptLeadEndsWithTheStop) {
  Queue queue;
  ASSERT_EQ(queue.pop_or_lead().first, Queue::Turn::lead);
  queue.end_lead({{Priority::normal, "only"}}, /*keep_lead=*/true);
  queue.stop_leading();
  queue.wait_lead_ended();
  queue.close();
  EXPECT_EQ(queue.pop_or_lead(/*keeping_lead=*/true).first, Queue::Turn::closed) << "no lead after the stop";
}

TEST(PriorityQueue, WhatALeaderKeepingTheLeadLeftQueuedGoesToTheFollowers) {
  Queue queue;
  ASSERT_EQ(queue.pop_or_lead().first, Queue::Turn::lead);
  auto follower = std::async(std::launch::async, [&] { return queue.pop_or_lead(); });
  auto mine = queue.end_lead({{Priority::normal, "second"}, {Priority::high, "first"}}, /*keep_lead=*/true);
  EXPECT_EQ(mine, std::optional<std::string>("first"));
  auto [turn, item] = follower.get();
  EXPECT_EQ(turn, Queue::Turn::task);
  EXPECT_EQ(item, std::optional<std::string>("second"));
}

// A worker with something to finish (a result's confirmation) is not handed the lead, which
// would have it wait on the intake; nor does it wait past its bound for a task.
TEST(PriorityQueue, AWorkerFinishingSomethingLeavesTheLeadAndWaitsOnlyItsBound) {
  Queue queue;
  EXPECT_EQ(queue.pop_or_lead(false, std::chrono::milliseconds(1)).first, Queue::Turn::none);
  ASSERT_TRUE(queue.try_lead()) << "the lead stayed free";
  EXPECT_EQ(queue.pop_or_lead(false, std::chrono::milliseconds(1)).first, Queue::Turn::none) << "nothing came while it waited";
}

TEST(PriorityQueue, AWorkerFinishingSomethingTakesATaskThatComesWhileItWaits) {
  Queue queue;
  ASSERT_EQ(queue.pop_or_lead().first, Queue::Turn::lead);
  auto finishing = std::async(std::launch::async, [&] { return queue.pop_or_lead(false, std::chrono::minutes(1)); });
  queue.end_lead({{Priority::normal, "leader's"}, {Priority::normal, "follower's"}});
  auto [turn, item] = finishing.get();
  EXPECT_EQ(turn, Queue::Turn::task);
  EXPECT_EQ(item, std::optional<std::string>("follower's"));
}

TEST(StatusMapping, FollowsTheContract) {
  struct Row {
    int status;
    ErrorCode code;
    bool retryable;
    bool auth;
  };
  for (const auto& row : std::vector<Row>{{400, ErrorCode::invalid_params, false, false},
                                          {404, ErrorCode::invalid_params, false, false},
                                          {413, ErrorCode::invalid_params, false, false},
                                          {422, ErrorCode::invalid_params, false, false},
                                          {401, ErrorCode::gateway_unavailable, true, true},
                                          {403, ErrorCode::gateway_unavailable, true, true},
                                          {408, ErrorCode::timeout, true, false},
                                          {429, ErrorCode::rate_limited, true, false},
                                          {500, ErrorCode::gateway_unavailable, true, false},
                                          {503, ErrorCode::gateway_unavailable, true, false}}) {
    auto outcome = outcome_for_status(row.status, 7, "");
    EXPECT_FALSE(outcome.completed);
    EXPECT_EQ(outcome.failure.error, row.code) << row.status;
    EXPECT_EQ(outcome.failure.retryable, row.retryable) << row.status;
    EXPECT_EQ(outcome.auth_problem, row.auth) << row.status;
  }
  EXPECT_EQ(outcome_for_status(429, 7, "").failure.retry_after_seconds, std::optional<int64_t>(7));
}

TEST(RetryAfter, SecondsOrHttpDate) {
  auto now = *parse_rfc3339("2026-11-24T10:00:00Z");
  EXPECT_EQ(parse_retry_after("30", now), std::optional<int64_t>(30));
  EXPECT_EQ(parse_retry_after(" 0 ", now), std::optional<int64_t>(0));
  EXPECT_EQ(parse_retry_after("Tue, 24 Nov 2026 10:01:30 GMT", now), std::optional<int64_t>(90));
  EXPECT_EQ(parse_retry_after("Tue, 24 Nov 2026 09:00:00 GMT", now), std::optional<int64_t>(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999", now), std::nullopt);
}

TEST(TaskText, NamesTheTaskParamsFormatAndBudget) {
  contract::TaskRequest request{"security.briefing", {{"scope", "home"}}, "markdown", 500};
  auto text = render_task_text(request);
  EXPECT_NE(text.find("Task: security.briefing"), std::string::npos);
  EXPECT_NE(text.find(R"({"scope":"home"})"), std::string::npos);
  EXPECT_NE(text.find("markdown"), std::string::npos);
  EXPECT_NE(text.find("500 tokens"), std::string::npos);
}

config::EnvMap base_env() {
  return {{"FLEET_ID", "fleet-a"}, {"AGENT_ID", "galahad"}, {"TASK_DOMAINS", "security,audit"}, {"WORKSPACE_DIR", "/nonexistent"}};
}

TEST(BridgeConfig, DefaultsMatchTheContract) {
  auto c = load_bridge_config({}, base_env());
  EXPECT_EQ(c.nats.servers, std::vector<std::string>{"nats://127.0.0.1:4222"});
  EXPECT_EQ(c.domains, (std::vector<std::string>{"security", "audit"}));
  EXPECT_EQ(c.gateway_url, "http://127.0.0.1:18789");
  EXPECT_EQ(c.gateway_mode, GatewayMode::webhook);
  EXPECT_EQ(c.gateway_model, "openclaw:main");
  EXPECT_EQ(c.gateway_timeout, std::chrono::seconds(600));
  EXPECT_EQ(c.max_concurrency, 2);
  EXPECT_EQ(c.ack_wait, std::chrono::seconds(30));
  EXPECT_EQ(c.max_deliver, 5);
  EXPECT_EQ(c.backoff, (std::vector<std::chrono::milliseconds>{std::chrono::seconds(2), std::chrono::seconds(10),
                                                                std::chrono::seconds(30), std::chrono::seconds(60)}));
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.health_port, 8080);
  EXPECT_FALSE(c.redis_url.has_value());
  EXPECT_TRUE(c.streams_auto_create);
  EXPECT_EQ(c.stream_replicas, 1);
  EXPECT_EQ(c.shutdown_grace, std::chrono::seconds(25));
  EXPECT_EQ(c.capabilities, (std::vector<std::string>{"security.*", "audit.*"}));
}

TEST(BridgeConfig, FlagsOverrideEnvironmentOverrideKnightYaml) {
  auto dir = testing::make_temp_dir("rt-bridge-config");
  std::ofstream(dir / "knight.yaml") << "name: percival\nfleet: fleet-b\ndomains: [comms]\n"
                                        "capabilities: [comms.briefing]\nmodel: {name: claude-x}\n"
                                        "bridge:\n  max_concurrency: 7\n  ack_wait: 45s\n";
  config::EnvMap env{{"KNIGHT_CONFIG", (dir / "knight.yaml").string()}, {"MAX_CONCURRENCY", "3"}};
  auto from_file = load_bridge_config({}, env);
  EXPECT_EQ(from_file.agent, "percival");
  EXPECT_EQ(from_file.fleet, "fleet-b");
  EXPECT_EQ(from_file.domains, std::vector<std::string>{"comms"});
  EXPECT_EQ(from_file.model, "claude-x");
  EXPECT_EQ(from_file.ack_wait, std::chrono::seconds(45));
  EXPECT_EQ(from_file.max_concurrency, 3) << "environment beats knight.yaml";
  auto flagged = load_bridge_config({"--max-concurrency", "9", "--agent-id=lancelot"}, env);
  EXPECT_EQ(flagged.max_concurrency, 9) << "a flag beats the environment";
  EXPECT_EQ(flagged.agent, "lancelot");
  std::filesystem::remove_all(dir);
}

TEST(BridgeConfig, BrokenKnightYamlNamesFileAndLine) {
  auto dir = testing::make_temp_dir("rt-bridge-config");
  std::ofstream(dir / "knight.yaml") << "name: galahad\ndomains: [security\n";
  try {
    load_bridge_config({}, {{"KNIGHT_CONFIG", (dir / "knight.yaml").string()}});
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("knight.yaml:"), std::string::npos) << error.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(BridgeConfig, PasswordWithoutUserIsRefused) {
  auto env = base_env();
  env["NATS_PASSWORD"] = "x";
  EXPECT_THROW(load_bridge_config({}, env), config::ConfigError);
}

TEST(BridgeConfig, ClaimNoticeAfterDefaultsToAMomentAcceptsZeroAndRefusesNonsense) {
  auto env = base_env();
  EXPECT_EQ(load_bridge_config({}, env).claim_notice_after, std::chrono::milliseconds(100));
  env["CLAIM_NOTICE_AFTER"] = "0";
  EXPECT_EQ(load_bridge_config({}, env).claim_notice_after, std::chrono::milliseconds(0));
  EXPECT_EQ(load_bridge_config({"--claim-notice-after", "2s"}, env).claim_notice_after, std::chrono::seconds(2));
  auto quick_gateway = base_env();
  quick_gateway["GATEWAY_TIMEOUT"] = "50ms";  // unset, the notice never waits past the call
  EXPECT_EQ(load_bridge_config({}, quick_gateway).claim_notice_after, std::chrono::milliseconds(50));
  for (const char* bad : {"soon", "-5ms", "11m"}) {  // 11m: longer than GATEWAY_TIMEOUT (10m)
    env["CLAIM_NOTICE_AFTER"] = bad;
    try {
      load_bridge_config({}, env);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const config::ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find("CLAIM_NOTICE_AFTER"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace rt::bridge
