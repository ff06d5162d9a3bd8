// nats-bridge where users meet trouble: a crash on the last delivery, a gateway outage longer than
// the whole back-off budget, an LLM that keeps failing (circuit breaker).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <thread>

#include "fixtures/bridge_test.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class BridgeReliability : public BridgeTest {
 protected:
  json readyz(BridgeProcess& bridge) { return json::parse(bridge.get("/readyz").second, nullptr, false); }
  bool readyz_says(BridgeProcess& bridge, const std::string& key, const std::string& value) {
    return eventually([&] {
      auto detail = readyz(bridge);
      return detail.is_object() && detail.contains(key) && detail[key] == value;
    });
  }
};

// Opens a gate when it goes out of scope, so blocked gateway handlers never outlive the test.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

TEST_F(BridgeReliability, CrashOnTheLastDeliveryEndsAsDeadLetterWithoutAnotherGatewayCall) {
  // The handlers of the killed bridges' calls are still blocked when the test body ends: they
  // share the gate, so it lives until the last of them has left it (the gateway outlives the body).
  auto never = std::make_shared<Gate>();
  OpenOnExit release{*never};
  gateway_->set_handler([never](const GatewayCall&) {
    never->wait();
    return completed_reply("too late");
  });
  const std::map<std::string, std::string> settings{{"MAX_DELIVER", "2"}};
  auto task = bus_->publish_task("security.briefing");
  for (size_t attempt = 1; attempt <= 2; ++attempt) {
    auto& bridge = start_bridge(settings);
    ASSERT_TRUE(gateway_->wait_for_started(attempt)) << "attempt " << attempt << " reached the gateway";
    bridge.process().signal(SIGKILL);
    ASSERT_TRUE(bridge.process().wait(std::chrono::seconds(10)));
  }
  start_bridge(settings);
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result) << "the task must not vanish";
  EXPECT_EQ((*result)["type"], "task.failed");
  EXPECT_EQ((*result)["payload"]["error"], "internal_error");
  EXPECT_EQ((*result)["payload"]["attempt"], 2);
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events_for(task.id, "task.deadletter").empty(); }));
  EXPECT_EQ(bus_->events_for(task.id, "task.failed").size(), 1u);
  // A third call would still be blocked in the handler, and no result would have come.
  EXPECT_FALSE(gateway_->wait_for_started(3, std::chrono::milliseconds(0))) << "the gateway was called a third time";
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

TEST_F(BridgeReliability, GatewayOutageLongerThanTheBackoffBudgetSpendsNoAttempt) {
  auto& bridge = start_bridge({{"MAX_DELIVER", "2"}, {"BACKOFF", "100ms"}});
  gateway_->stop();
  ASSERT_TRUE(readyz_says(bridge, "intake", "paused")) << bridge.get("/readyz").second;
  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(bus_->publish_task("security.briefing", {{"n", i}}));
  // The outage itself: ten times the whole back-off budget (2 attempts, 100 ms apart).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto state = bus_->js().consumer_state(contract::kTasksStream, "fleet-a-galahad-security");
  ASSERT_TRUE(state);
  // A fetch already waiting when the outage began may hold one: it waits in its first delivery.
  EXPECT_EQ(state->pending + state->ack_pending, 5u);
  EXPECT_GE(state->pending, 4u) << "the tasks wait in the stream, undelivered";
  EXPECT_EQ(state->redelivered, 0u);
  gateway_->start();
  for (const auto& task : tasks) {
    auto result = bus_->wait_result(task.id);
    ASSERT_TRUE(result) << task.id;
    EXPECT_EQ((*result)["type"], "task.result");
    EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1) << "no attempt was spent on the outage";
    EXPECT_TRUE(bus_->events_for(task.id, "task.deadletter").empty());
    EXPECT_TRUE(bus_->events_for(task.id, "task.retrying").empty());
  }
  EXPECT_TRUE(readyz_says(bridge, "intake", "open"));
}

TEST_F(BridgeReliability, RefusedConnectionIsRetriedWithinTheSameAttempt) {
  auto& bridge = start_bridge({{"MAX_DELIVER", "1"}, {"BACKOFF", "100ms"}});
  // The bridge may still believe the gateway is up when the task comes: the refused connection
  // tells it otherwise, and the delivery waits rather than failing its only attempt.
  gateway_->stop();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(eventually([&] {
    auto detail = readyz(bridge);
    return detail.is_object() && detail["gateway"] == false;
  }));
  gateway_->start();
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result") << "MAX_DELIVER=1: a refused connection must not be the task's only attempt";
}

TEST_F(BridgeReliability, FailingLlmOpensTheBreakerWhichPausesIntakeAndClosesAfterAProbe) {
  std::atomic<bool> failing{true};
  gateway_->set_handler([&](const GatewayCall&) {
    if (failing) return failed_reply("model_error", "the LLM API answered 529 overloaded", true);
    return completed_reply("recovered");
  });
  auto& bridge = start_bridge({{"BREAKER_THRESHOLD", "3"}, {"BREAKER_COOLDOWN", "500ms"}, {"MAX_DELIVER", "50"},
                               {"BACKOFF", "50ms"}, {"MAX_CONCURRENCY", "1"}});
  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back(bus_->publish_task("security.briefing", {{"n", i}}));
  ASSERT_TRUE(readyz_says(bridge, "breaker", "open")) << bridge.get("/readyz").second;
  EXPECT_EQ(bridge.get("/readyz").first, 503);
  EXPECT_TRUE(eventually([&] { return bridge.get("/metrics").second.find("roundtable_bridge_breaker_state 1") != std::string::npos; }));
  EXPECT_TRUE(bus_->heartbeats().wait_until([](const std::vector<Received>& all) {
    return !all.empty() && all.back().json()["payload"].value("breaker", "") != "closed" &&
           all.back().json()["payload"].value("status", "") == "degraded";
  }));
  failing = false;
  for (const auto& task : tasks) {
    auto result = bus_->wait_result(task.id);
    ASSERT_TRUE(result) << task.id;
    EXPECT_EQ((*result)["type"], "task.result");
  }
  EXPECT_TRUE(readyz_says(bridge, "breaker", "closed"));
  EXPECT_EQ(bridge.get("/readyz").first, 200);
  for (const auto& task : tasks) EXPECT_TRUE(bus_->events_for(task.id, "task.deadletter").empty());
}

}  // namespace
}  // namespace rt::testing
