#include "roundtable/bridge/go_bridge_aliases.hpp"

#include <gtest/gtest.h>

#include "roundtable/bridge/config.hpp"

namespace rt::bridge {
namespace {

config::EnvMap base_env(config::EnvMap extra) {
  config::EnvMap env{{"FLEET_ID", "fleet-a"}, {"AGENT_ID", "galahad"}, {"WORKSPACE_DIR", "/nonexistent"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

BridgeConfig load(config::EnvMap extra) { return load_bridge_config({}, base_env(std::move(extra))); }

const ConfigNotice* notice_for(const BridgeConfig& c, const std::string& alias, const std::string& setting) {
  for (const auto& n : c.notices)
    if (n.fields.value("alias", "") == alias && n.fields.value("setting", "") == setting) return &n;
  return nullptr;
}

std::string refusal(config::EnvMap extra) {
  try {
    load(std::move(extra));
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(GoBridgeAliases, GoSettingsBecomeOurs) {
  auto c = load({{"SUBSCRIBE_TOPICS", "fleet-a.tasks.security.>, fleet-a.tasks.comms.*,fleet-a.tasks.security.>"},
                 {"OPENCLAW_WEBHOOK_URL", "http://openclaw:18789/hooks/agent"},
                 {"OPENCLAW_HOOK_TOKEN", "hook-secret"},
                 {"RESULT_PREFIX", "fleet-a.results"},
                 {"HEARTBEAT_INTERVAL", "60"}});
  EXPECT_EQ(c.domains, (std::vector<std::string>{"security", "comms"}));
  EXPECT_EQ(c.gateway_url, "http://openclaw:18789");
  EXPECT_EQ(c.gateway_mode, GatewayMode::openai);
  EXPECT_EQ(c.gateway_token, "hook-secret");
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(60));
  ASSERT_TRUE(notice_for(c, "SUBSCRIBE_TOPICS", "TASK_DOMAINS"));
  EXPECT_TRUE(notice_for(c, "SUBSCRIBE_TOPICS", "TASK_DOMAINS")->warning);
  for (const auto& n : c.notices) EXPECT_EQ(n.fields.dump().find("hook-secret"), std::string::npos);
}

TEST(GoBridgeAliases, OursWinAndTheAliasIsNamed) {
  auto c = load({{"TASK_DOMAINS", "security"}, {"SUBSCRIBE_TOPICS", "fleet-a.tasks.comms.>"},
                 {"GATEWAY_TOKEN", "ours"}, {"OPENCLAW_HOOK_TOKEN", "theirs"},
                 {"GATEWAY_URL", "http://127.0.0.1:9"}, {"OPENCLAW_WEBHOOK_URL", "http://other:1/hooks/agent"}});
  EXPECT_EQ(c.domains, std::vector<std::string>{"security"});
  EXPECT_EQ(c.gateway_token, "ours");
  EXPECT_EQ(c.gateway_url, "http://127.0.0.1:9");
  EXPECT_EQ(c.gateway_mode, GatewayMode::webhook);
  for (const char* alias : {"SUBSCRIBE_TOPICS", "OPENCLAW_HOOK_TOKEN", "OPENCLAW_WEBHOOK_URL"}) {
    bool found = false;
    for (const auto& n : c.notices)
      if (n.fields.value("alias", "") == alias && n.fields.value("outcome", "") == "ignored") found = n.warning;
    EXPECT_TRUE(found) << alias;
  }
}

TEST(GoBridgeAliases, ChatCompletionsUrlAndBareUrlGiveTheOrigin) {
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "https://gw.example/v1/chat/completions"}}).gateway_url,
            "https://gw.example");
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "http://gw:18789/"}}).gateway_url, "http://gw:18789");
}

// GATEWAY_URL's routes hang under its path, so a proxy's prefix survives the translation.
TEST(GoBridgeAliases, AProxysPathPrefixIsKept) {
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "https://gw.example/openclaw/hooks/agent"}}).gateway_url,
            "https://gw.example/openclaw");
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "http://gw:80/team/a/v1/chat/completions/"}}).gateway_url,
            "http://gw:80/team/a");
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "http://gw/openclaw/hooks/gmail"}}).find("OPENCLAW_WEBHOOK_URL"),
            std::string::npos);
}

TEST(GoBridgeAliases, AGoDeploymentWithoutAUrlTakesTheGoDefault) {
  auto c = load({{"SUBSCRIBE_TOPICS", "fleet-a.tasks.security.>"}});
  EXPECT_EQ(c.gateway_url, "http://localhost:18789");
  EXPECT_EQ(c.gateway_mode, GatewayMode::openai);
  auto ours = load({{"TASK_DOMAINS", "security"}});
  EXPECT_EQ(ours.gateway_mode, GatewayMode::webhook);
  EXPECT_TRUE(ours.notices.empty());
}

TEST(GoBridgeAliases, OpenClawTokenIsTheFallback) {
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_TOKEN", "t1"}}).gateway_token, "t1");
  EXPECT_EQ(load({{"TASK_DOMAINS", "a"}, {"OPENCLAW_TOKEN", "t1"}, {"OPENCLAW_HOOK_TOKEN", "t2"}}).gateway_token, "t2");
}

TEST(GoBridgeAliases, ValuesThatWouldChangeTheContractAreRefused) {
  EXPECT_NE(refusal({{"SUBSCRIBE_TOPICS", "fleet-a.tasks.>"}}).find("invalid setting SUBSCRIBE_TOPICS"), std::string::npos);
  EXPECT_NE(refusal({{"SUBSCRIBE_TOPICS", "fleet-a.tasks.security.briefing"}}).find("widen"), std::string::npos);
  EXPECT_NE(refusal({{"SUBSCRIBE_TOPICS", "fleet-b.tasks.security.>"}}).find("SUBSCRIBE_TOPICS"), std::string::npos);
  EXPECT_NE(refusal({{"SUBSCRIBE_TOPICS", " , "}}).find("SUBSCRIBE_TOPICS"), std::string::npos);
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"RESULT_PREFIX", "x.results"}}).find("invalid setting RESULT_PREFIX"), std::string::npos);
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"HEARTBEAT_INTERVAL", "0"}}).find("HEARTBEAT_INTERVAL"), std::string::npos);
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"HEARTBEAT_INTERVAL", "9999999999"}}).find("HEARTBEAT_INTERVAL"), std::string::npos);
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"OPENCLAW_WEBHOOK_URL", "http://gw/hooks/gmail"}}).find("OPENCLAW_WEBHOOK_URL"),
            std::string::npos);
  EXPECT_NE(refusal({{"TASK_DOMAINS", "a"}, {"GATEWAY_MODE", "webhook"}, {"OPENCLAW_WEBHOOK_URL", "http://gw/hooks/agent"}})
                .find("OPENCLAW_WEBHOOK_URL"),
            std::string::npos);
  EXPECT_EQ(refusal({{"TASK_DOMAINS", "a"}, {"OPENCLAW_HOOK_TOKEN", "sekrit"}, {"RESULT_PREFIX", "y"}}).find("sekrit"), std::string::npos);
}

}  // namespace
}  // namespace rt::bridge
