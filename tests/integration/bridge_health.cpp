// nats-bridge endpoints, lifecycle events, heartbeats and configuration errors.
#include <gtest/gtest.h>

#include <fstream>

#include "fixtures/bridge_test.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class BridgeHealth : public BridgeTest {};

TEST_F(BridgeHealth, AliveBeforeNatsIsUpAndReadyOnceItIs) {
  int port = free_port();
  BridgeProcess bridge("nats://127.0.0.1:" + std::to_string(port), gateway_->url());
  bridge.start();
  ASSERT_TRUE(eventually([&] { return bridge.get("/healthz").first == 200; })) << bridge.output();
  auto [status, body] = bridge.get("/readyz");
  EXPECT_EQ(status, 503);
  EXPECT_EQ(json::parse(body)["nats"], false);
  NatsServer late("", port);
  EXPECT_TRUE(bridge.wait_ready()) << bridge.output();
  Bus bus(late.url());
  auto task = bus.publish_task("security.briefing");
  EXPECT_TRUE(bus.wait_result(task.id));
}

TEST_F(BridgeHealth, MetricsAreValidPrometheusText) {
  auto& bridge = start_bridge();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(bus_->wait_result(task.id));
  ASSERT_TRUE(eventually([&] {
    return bridge.get("/metrics").second.find("roundtable_bridge_tasks_total{outcome=\"completed\"} 1") != std::string::npos;
  }));
  auto metrics = bridge.get("/metrics").second;
  for (const char* name : {"roundtable_bridge_task_duration_seconds_bucket", "roundtable_bridge_tasks_in_flight 0",
                           "roundtable_bridge_redeliveries_total 0", "roundtable_bridge_gateway_up 1",
                           "roundtable_bridge_nats_connected 1", "roundtable_bridge_consumer_pending{consumer=\"fleet-a-galahad-security\"}"})
    EXPECT_NE(metrics.find(name), std::string::npos) << name;
  auto file = std::filesystem::temp_directory_path() / ("rt-metrics-" + std::to_string(bridge.health_port()) + ".txt");
  std::ofstream(file) << metrics;
  auto check = run_command({"/bin/sh", "-c", find_executable("promtool") + " check metrics < " + file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(BridgeHealth, AnnouncesItselfAndSendsHeartbeats) {
  auto& bridge = start_bridge({{"CAPABILITIES", "security.briefing,security.scan"}, {"MODEL_NAME", "claude-test"}});
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events().of_type("knight.online").empty(); }));
  auto online = bus_->events().of_type("knight.online")[0];
  EXPECT_EQ(online["from"], "galahad");
  EXPECT_EQ(online["payload"]["domains"][0], "security");
  ASSERT_TRUE(bus_->heartbeats().wait_for_count(2));
  auto hb = bus_->heartbeats().messages()[1];
  EXPECT_EQ(hb.subject, "fleet-a.heartbeat.galahad");
  auto payload = hb.json()["payload"];
  EXPECT_EQ(payload["status"], "degraded") << "no Redis configured";
  EXPECT_EQ(payload["capabilities"], json({"security.briefing", "security.scan"}));
  EXPECT_EQ(payload["model"], "claude-test");
  EXPECT_EQ(payload["gateway"], "up");
  EXPECT_EQ(payload["activeTaskCount"], 0);
  EXPECT_TRUE(payload["uptime"].is_number_integer());
  bridge.process().signal(SIGTERM);
  EXPECT_EQ(bridge.process().wait(std::chrono::seconds(20)), std::optional<int>(0));
  EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events().of_type("knight.offline").empty(); }));
}

TEST_F(BridgeHealth, GatewayAuthFailureMakesTheBridgeNotReady) {
  gateway_->set_handler([](const GatewayCall&) { return GatewayReply{401, "application/json", R"({"error":"bad token"})", {}, {}}; });
  auto& bridge = start_bridge({{"GATEWAY_TOKEN", "stale"}});
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events_for(task.id, "task.retrying").empty(); }));
  ASSERT_TRUE(eventually([&] { return bridge.get("/readyz").first == 503; }));
  EXPECT_EQ(json::parse(bridge.get("/readyz").second)["gatewayAuth"], false);
  gateway_->set_handler([](const GatewayCall&) { return completed_reply("ok"); });
  EXPECT_TRUE(bus_->wait_result(task.id));
  EXPECT_TRUE(bridge.wait_ready());
}

TEST_F(BridgeHealth, OverlappingConsumerIsAConfigurationErrorNamingIt) {
  nats::ConsumerSpec other{"ROUNDTABLE_TASKS", "fleet-a-percival-security", "fleet-a.tasks.security.>"};
  ASSERT_TRUE(bus_->js().ensure_consumer(other));
  auto& bridge = start_bridge({}, false);
  auto code = bridge.process().wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(bridge.output().find("fleet-a-percival-security"), std::string::npos) << bridge.output();
}

TEST_F(BridgeHealth, StreamsAreLeftAloneWhenAutoCreateIsOff) {
  auto before = bus_->js().stream_state("ROUNDTABLE_TASKS");
  ASSERT_TRUE(before);
  start_bridge({{"STREAMS_AUTO_CREATE", "false"}});
  EXPECT_EQ(bridges_[0]->output().find("bridge.stream_applied"), std::string::npos);
}

struct BadSetting {
  std::map<std::string, std::string> env;
  std::string setting;
};

TEST(BridgeConfig, BadSettingsExitTwoWithOneLineNamingTheSetting) {
  std::vector<BadSetting> cases{
      {{{"FLEET_ID", ""}}, "FLEET_ID"},
      {{{"AGENT_ID", "Gala.had"}}, "AGENT_ID"},
      {{{"TASK_DOMAINS", "security,*"}}, "TASK_DOMAINS"},
      {{{"MAX_CONCURRENCY", "0"}}, "MAX_CONCURRENCY"},
      {{{"ACK_WAIT", "soon"}}, "ACK_WAIT"},
      {{{"BACKOFF", "2s,,x"}}, "BACKOFF"},
      {{{"GATEWAY_MODE", "grpc"}}, "GATEWAY_MODE"},
      {{{"GATEWAY_URL", "ftp://x"}}, "GATEWAY_URL"},
      {{{"GATEWAY_URL", "http://gw:18789/hooks?agent=1"}}, "GATEWAY_URL"},
      {{{"GATEWAY_URL", "http://gw:18789/a b"}}, "GATEWAY_URL"},
      {{{"HEALTH_PORT", "70000"}}, "HEALTH_PORT"},
      {{{"REDIS_URL", "http://x"}}, "REDIS_URL"},
      {{{"STREAMS_AUTO_CREATE", "maybe"}}, "STREAMS_AUTO_CREATE"},
      {{{"LOG_FORMAT", "xml"}}, "LOG_FORMAT"},
  };
  for (const auto& c : cases) {
    std::map<std::string, std::string> env{{"FLEET_ID", "fleet-a"}, {"AGENT_ID", "galahad"}, {"TASK_DOMAINS", "security"},
                                           {"WORKSPACE_DIR", "/nonexistent"}};
    for (const auto& [k, v] : c.env) env[k] = v;
    auto result = run_command({std::string(RT_BIN_DIR) + "/nats-bridge"}, env, std::chrono::seconds(20));
    EXPECT_EQ(result.exit_code, 2) << c.setting << ": " << result.output;
    EXPECT_NE(result.output.find(c.setting), std::string::npos) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << "one line: " << result.output;
  }
  auto flag = run_command({std::string(RT_BIN_DIR) + "/nats-bridge", "--max-concurrency", "lots"},
                          {{"FLEET_ID", "fleet-a"}, {"AGENT_ID", "galahad"}, {"TASK_DOMAINS", "security"}});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.output.find("flag --max-concurrency"), std::string::npos) << flag.output;
}

}  // namespace
}  // namespace rt::testing
