// A knight deployed with the upstream Go nats-bridge's settings runs unchanged on this bridge
// (docs/go-bridge.md): the Go names alone start a working bridge in front of OpenClaw, ours win
// when both are set (a warning names the alias), and values that would change the contract are
// refused at start with one line.
#include <gtest/gtest.h>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/openclaw_standin.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "go-hook-token-3f9a";

// Our own settings the harness sets, blanked (empty counts as unset) so only the Go names remain.
std::map<std::string, std::string> go_settings(const std::string& openclaw_url) {
  return {{"TASK_DOMAINS", ""},
          {"GATEWAY_URL", ""},
          {"SUBSCRIBE_TOPICS", "fleet-a.tasks.security.>"},
          {"OPENCLAW_WEBHOOK_URL", openclaw_url + "/hooks/agent"},
          {"OPENCLAW_HOOK_TOKEN", kToken},
          {"RESULT_PREFIX", "fleet-a.results"},
          {"HEARTBEAT_INTERVAL", "5"}};
}

// The JSON log lines of one event.
std::vector<json> log_events(const std::string& output, const std::string& event) {
  std::vector<json> out;
  for (const auto& line : split(output, '\n')) {
    auto doc = json::parse(line, nullptr, false);
    if (doc.is_object() && doc.value("event", "") == event) out.push_back(doc);
  }
  return out;
}

std::optional<json> alias_line(const std::string& output, const std::string& alias, const std::string& setting) {
  for (auto& doc : log_events(output, "config.go_bridge_alias"))
    if (doc.value("alias", "") == alias && doc.value("setting", "") == setting) return doc;
  return std::nullopt;
}

class BridgeGoCompat : public ::testing::Test {
 protected:
  void SetUp() override {
    nats_ = std::make_unique<NatsServer>();
    openclaw_ = std::make_unique<OpenClawStandIn>(kToken, std::set<std::string>{"main"});
    bus_ = std::make_unique<Bus>(nats_->url());
  }
  void TearDown() override {
    if (HasFailure() && bridge_) std::cerr << "---- bridge log ----\n" << bridge_->output().substr(0, 20000) << "\n";
    bridge_.reset();
    bus_.reset();
    openclaw_.reset();
    nats_.reset();
  }
  BridgeProcess& start_bridge(std::map<std::string, std::string> env) {
    bridge_ = std::make_unique<BridgeProcess>(nats_->url(), openclaw_->url(), std::move(env));
    bridge_->start();
    return *bridge_;
  }
  // Starts the binary with `env` over the Go settings; returns (exit code, output).
  std::pair<std::optional<int>, std::string> refused_start(std::map<std::string, std::string> overrides) {
    auto env = go_settings(openclaw_->url());
    for (auto& [k, v] : overrides) env[k] = v;
    BridgeProcess bridge(nats_->url(), openclaw_->url(), env);
    bridge.start();
    auto code = bridge.process().wait(std::chrono::seconds(20));
    return {code, bridge.output()};
  }

  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<OpenClawStandIn> openclaw_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<BridgeProcess> bridge_;
};

TEST_F(BridgeGoCompat, GoSettingsAloneStartAWorkingBridge) {
  start_bridge(go_settings(openclaw_->url()));
  ASSERT_TRUE(bridge_->wait_ready());
  auto task = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_EQ((*result)["payload"]["result"]["content"], "answer 1 from main");
  // The answer came from chat completions; /hooks/agent (a receipt only) was never called.
  auto chats = openclaw_->calls_to("/v1/chat/completions");
  ASSERT_EQ(chats.size(), 1u);
  EXPECT_EQ(chats[0].authorization, std::string("Bearer ") + kToken);
  EXPECT_TRUE(openclaw_->calls_to("/hooks/agent").empty());

  std::string log = bridge_->output();
  for (auto [alias, setting] : std::vector<std::pair<std::string, std::string>>{{"SUBSCRIBE_TOPICS", "TASK_DOMAINS"},
                                                                                 {"OPENCLAW_WEBHOOK_URL", "GATEWAY_URL"},
                                                                                 {"OPENCLAW_WEBHOOK_URL", "GATEWAY_MODE"},
                                                                                 {"OPENCLAW_HOOK_TOKEN", "GATEWAY_TOKEN"}}) {
    auto line = alias_line(log, alias, setting);
    ASSERT_TRUE(line) << alias << " -> " << setting;
    EXPECT_EQ((*line)["level"], "warn");
    EXPECT_EQ((*line)["outcome"], "used");
  }
  EXPECT_EQ(log.find(kToken), std::string::npos) << "the token reached the log";
}

TEST_F(BridgeGoCompat, HeartbeatIntervalInPlainSecondsIsSeconds) {
  start_bridge(go_settings(openclaw_->url()));
  ASSERT_TRUE(bridge_->wait_ready());
  ASSERT_TRUE(bus_->heartbeats().wait_for_count(2, std::chrono::seconds(30)));
  auto beats = bus_->heartbeats().messages();
  auto first = parse_rfc3339(beats[0].json().value("timestamp", ""));
  auto second = parse_rfc3339(beats[1].json().value("timestamp", ""));
  ASSERT_TRUE(first && second);
  // "5" read as 5 seconds (not milliseconds, not the 30s default): a scheduler can only delay a beat.
  EXPECT_GE(*second - *first, std::chrono::milliseconds(4900));
  auto line = alias_line(bridge_->output(), "HEARTBEAT_INTERVAL", "HEARTBEAT_INTERVAL");
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["outcome"], "plain_seconds");
}

TEST_F(BridgeGoCompat, OurSettingsWinOverGoAliasesWithAWarning) {
  auto env = go_settings("http://127.0.0.1:1");  // the alias points nowhere: only ours can make it ready
  env["GATEWAY_URL"] = openclaw_->url();
  env["GATEWAY_MODE"] = "openai";
  env["GATEWAY_MODEL"] = "openclaw:main";
  env["TASK_DOMAINS"] = "security";
  env["SUBSCRIBE_TOPICS"] = "fleet-a.tasks.comms.>";
  env["GATEWAY_TOKEN"] = kToken;
  env["OPENCLAW_HOOK_TOKEN"] = "stale-hook-token-77";
  start_bridge(env);
  ASSERT_TRUE(bridge_->wait_ready());
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(bus_->wait_result(task.id));

  std::string log = bridge_->output();
  for (auto [alias, setting] : std::vector<std::pair<std::string, std::string>>{
           {"SUBSCRIBE_TOPICS", "TASK_DOMAINS"}, {"OPENCLAW_WEBHOOK_URL", "GATEWAY_URL"}, {"OPENCLAW_HOOK_TOKEN", "GATEWAY_TOKEN"}}) {
    auto line = alias_line(log, alias, setting);
    ASSERT_TRUE(line) << alias;
    EXPECT_EQ((*line)["level"], "warn");
    EXPECT_EQ((*line)["outcome"], "ignored");
    EXPECT_NE((*line).value("note", "").find(setting), std::string::npos);
  }
  EXPECT_EQ(log.find("stale-hook-token-77"), std::string::npos);
  EXPECT_EQ(log.find(kToken), std::string::npos);
  for (const auto& probe : openclaw_->calls_to("/v1/models")) EXPECT_EQ(probe.authorization, std::string("Bearer ") + kToken);
}

TEST_F(BridgeGoCompat, GoValuesThatWouldChangeTheContractAreRefused) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string names;
  };
  std::vector<Case> cases{
      {{{"SUBSCRIBE_TOPICS", "fleet-a.tasks.>"}}, "SUBSCRIBE_TOPICS"},
      {{{"SUBSCRIBE_TOPICS", "fleet-a.tasks.security.briefing"}}, "SUBSCRIBE_TOPICS"},
      {{{"SUBSCRIBE_TOPICS", "fleet-b.tasks.security.>"}}, "SUBSCRIBE_TOPICS"},
      {{{"RESULT_PREFIX", "fleet-a.answers"}}, "RESULT_PREFIX"},
      {{{"HEARTBEAT_INTERVAL", "0"}}, "HEARTBEAT_INTERVAL"},
      {{{"HEARTBEAT_INTERVAL", "-5"}}, "HEARTBEAT_INTERVAL"},
      {{{"HEARTBEAT_INTERVAL", "5x"}}, "HEARTBEAT_INTERVAL"},
      {{{"OPENCLAW_WEBHOOK_URL", "http://127.0.0.1:18789/hooks/gmail"}}, "OPENCLAW_WEBHOOK_URL"},
      {{{"OPENCLAW_WEBHOOK_URL", "ftp://gateway/hooks/agent"}}, "OPENCLAW_WEBHOOK_URL"},
      {{{"GATEWAY_MODE", "webhook"}}, "OPENCLAW_WEBHOOK_URL"},
  };
  for (const auto& c : cases) {
    auto [code, output] = refused_start(c.env);
    ASSERT_TRUE(code) << c.names << " did not stop the start";
    EXPECT_EQ(*code, 2) << output;
    EXPECT_NE(output.find("invalid setting " + c.names), std::string::npos) << output;
    EXPECT_EQ(output.find(kToken), std::string::npos);
  }
}

}  // namespace
}  // namespace rt::testing
