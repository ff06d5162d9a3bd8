// The bridge in GATEWAY_MODE=openai in front of an OpenClaw gateway (docs/openclaw.md): one
// session per task, a readiness probe that carries the token and proves the agent exists, and
// deployment errors that hold tasks in the stream instead of failing them.
#include <gtest/gtest.h>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/openclaw_standin.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "openclaw-gateway-token";
constexpr const char* kConsumer = "fleet-a-galahad-security";

class BridgeOpenClaw : public ::testing::Test {
 protected:
  void SetUp() override {
    nats_ = std::make_unique<NatsServer>();
    bus_ = std::make_unique<Bus>(nats_->url());
  }
  void TearDown() override {
    if (HasFailure() && bridge_) std::cerr << "---- bridge log ----\n" << bridge_->output().substr(0, 20000) << "\n";
    bridge_.reset();
    bus_.reset();
    openclaw_.reset();
    nats_.reset();
  }

  OpenClawStandIn& openclaw(std::set<std::string> agents) {
    openclaw_ = std::make_unique<OpenClawStandIn>(kToken, std::move(agents));
    return *openclaw_;
  }
  BridgeProcess& start_bridge(const std::string& token, std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"GATEWAY_MODE", "openai"}, {"GATEWAY_MODEL", "openclaw:galahad"}, {"GATEWAY_TOKEN", token},
                                           {"BREAKER_COOLDOWN", "1s"}};
    for (auto& [k, v] : extra) env[k] = v;
    bridge_ = std::make_unique<BridgeProcess>(nats_->url(), openclaw_->url(), env);
    bridge_->start();
    return *bridge_;
  }
  json readyz() {
    auto [status, body] = bridge_->get("/readyz");
    json doc = json::parse(body, nullptr, false);
    if (doc.is_object()) doc["httpStatus"] = status;
    return doc;
  }
  // Not ready with the gateway's reason, consumers bound (so nothing else explains it).
  bool not_ready_because(const std::string& words) {
    return eventually([&] {
      auto doc = readyz();
      return doc.is_object() && doc["httpStatus"] == 503 && doc.value("consumers", false) &&
             doc.value("gatewayReason", "").find(words) != std::string::npos;
    });
  }
  nats::ConsumerState consumer() {
    auto state = bus_->js().consumer_state(contract::kTasksStream, kConsumer);
    if (!state) throw std::runtime_error(state.error().message);
    return *state;
  }
  contract::Envelope publish_with_payload(json payload) {
    auto env = contract::make_envelope(std::string(contract::type::task_request), "tim", std::move(payload), std::chrono::system_clock::now());
    env.fleet = "fleet-a";
    bus_->publish_raw("fleet-a.tasks.security.briefing", contract::serialize(env), env.id);
    return env;
  }

  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<OpenClawStandIn> openclaw_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<BridgeProcess> bridge_;
};

TEST_F(BridgeOpenClaw, EachTaskRunsInItsOwnSession) {
  openclaw({"main", "galahad"});
  start_bridge(kToken);
  ASSERT_TRUE(bridge_->wait_ready());
  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(bus_->publish_task("security.briefing", {{"n", i}}));
  for (const auto& task : tasks) {
    auto result = bus_->wait_result(task.id);
    ASSERT_TRUE(result);
    EXPECT_EQ((*result)["type"], "task.result");
    EXPECT_EQ((*result)["payload"]["result"]["content"], "answer 1 from galahad");
  }
  auto chats = openclaw_->calls_to("/v1/chat/completions");
  ASSERT_EQ(chats.size(), 3u);
  std::set<std::string> users;
  for (const auto& call : chats) {
    users.insert(call.user);
    EXPECT_EQ(call.history_before, 0u) << "a task saw an earlier task's conversation";
    EXPECT_EQ(call.model, "openclaw:galahad");
  }
  for (const auto& task : tasks) EXPECT_TRUE(users.count(task.id)) << "user is not the task id " << task.id;
  for (const auto& task : tasks) EXPECT_EQ(openclaw_->session_length(task.id), 2u);
}

TEST_F(BridgeOpenClaw, ReadinessProbeCarriesTheTokenAndFindsTheAgent) {
  openclaw({"galahad"});
  start_bridge(kToken);
  ASSERT_TRUE(bridge_->wait_ready());
  auto probes = openclaw_->calls_to("/v1/models");
  ASSERT_FALSE(probes.empty());
  for (const auto& probe : probes) EXPECT_EQ(probe.authorization, std::string("Bearer ") + kToken);
  EXPECT_FALSE(readyz().contains("gatewayReason"));
}

TEST_F(BridgeOpenClaw, ConversationFieldContinuesOneSession) {
  openclaw({"galahad"});
  start_bridge(kToken);
  ASSERT_TRUE(bridge_->wait_ready());
  auto first = publish_with_payload({{"task", "security.briefing"}, {"conversation", "thread-7"}});
  ASSERT_TRUE(bus_->wait_result(first.id));
  auto second = publish_with_payload({{"task", "security.briefing"}, {"conversation", "thread-7"}});
  auto result = bus_->wait_result(second.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "answer 2 from galahad");
  auto chats = openclaw_->calls_to("/v1/chat/completions");
  ASSERT_EQ(chats.size(), 2u);
  EXPECT_EQ(chats[0].user, "tim:thread-7");
  EXPECT_EQ(chats[1].user, "tim:thread-7");
  EXPECT_EQ(chats[1].history_before, 2u);

  auto bad = publish_with_payload({{"task", "security.briefing"}, {"conversation", 42}});
  auto failed = bus_->wait_result(bad.id);
  ASSERT_TRUE(failed);
  EXPECT_EQ((*failed)["type"], "task.failed");
  EXPECT_EQ((*failed)["payload"]["error"], "invalid_params");
  EXPECT_EQ(openclaw_->calls_to("/v1/chat/completions").size(), 2u);
}

TEST_F(BridgeOpenClaw, WrongTokenIsNotReadyWithTheReasonAndTakesNoTask) {
  openclaw({"galahad"});
  auto task = bus_->publish_task("security.briefing");
  start_bridge("not-the-gateway-token");
  ASSERT_TRUE(not_ready_because("gateway rejected the token")) << readyz().dump();
  ASSERT_TRUE(eventually([&] { return !openclaw_->calls_to("/v1/models").empty(); }));
  EXPECT_EQ(openclaw_->calls_to("/v1/models")[0].authorization, "Bearer not-the-gateway-token");
  EXPECT_EQ(readyz()["intake"], "paused");
  auto state = consumer();
  EXPECT_EQ(state.pending, 1u);
  EXPECT_EQ(state.ack_pending, 0u);
  EXPECT_TRUE(openclaw_->calls_to("/v1/chat/completions").empty());
  EXPECT_EQ(bus_->stored_results(task.id), 0u);
  EXPECT_EQ(bridge_->output().find("not-the-gateway-token"), std::string::npos) << "the token reached the log";
}

TEST_F(BridgeOpenClaw, UnknownAgentAtStartLeavesTasksInTheStreamUntilItAppears) {
  openclaw({"main"});
  auto task = bus_->publish_task("security.briefing");
  start_bridge(kToken);
  ASSERT_TRUE(not_ready_because("unknown agent/model openclaw:galahad")) << readyz().dump();
  auto state = consumer();
  EXPECT_EQ(state.pending, 1u);
  EXPECT_EQ(state.ack_pending, 0u);
  EXPECT_TRUE(openclaw_->calls_to("/v1/chat/completions").empty());

  openclaw_->add_agent("galahad");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1);
  EXPECT_TRUE(bridge_->wait_ready());
}

TEST_F(BridgeOpenClaw, AgentGoneMidRunHoldsTheTaskWithoutFailingIt) {
  openclaw({"galahad"});
  start_bridge(kToken);
  ASSERT_TRUE(bridge_->wait_ready());
  openclaw_->remove_agent_on_next_call("galahad");
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(not_ready_because("unknown agent/model openclaw:galahad")) << readyz().dump();
  ASSERT_EQ(openclaw_->calls_to("/v1/chat/completions").size(), 1u);
  EXPECT_EQ(openclaw_->calls_to("/v1/chat/completions")[0].status, 400);
  EXPECT_EQ(bus_->stored_results(task.id), 0u);
  EXPECT_TRUE(bus_->events_for(task.id, "task.failed").empty());

  openclaw_->add_agent("galahad");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1) << "the deployment error spent an attempt";
  EXPECT_TRUE(bus_->events_for(task.id, "task.retrying").empty());
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

}  // namespace
}  // namespace rt::testing
