// A gateway behind a proxy's path prefix (docs/contract.md §5: `POST <GATEWAY_URL>/webhook`):
// every call the bridge makes, the task, the health probe and OpenClaw's model probe, goes under
// GATEWAY_URL's path; served only there, a bridge that dropped the prefix would never be ready.
#include <gtest/gtest.h>

#include "fixtures/bridge_test.hpp"
#include "fixtures/openclaw_standin.hpp"

namespace rt::testing {
namespace {

class BridgeGatewayPrefix : public BridgeTest {
 protected:
  // After the bridges: a stand-in stopped first would wait out their idle keep-alive connections.
  void TearDown() override {
    BridgeTest::TearDown();
    openclaw_.reset();
  }
  std::unique_ptr<OpenClawStandIn> openclaw_;
};

TEST_F(BridgeGatewayPrefix, WebhookAndHealthGoUnderThePrefix) {
  gateway_ = std::make_unique<FakeGateway>("/knights/galahad");
  start_bridge({{"GATEWAY_URL", gateway_->url() + "/"}});
  auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result) << bridges_[0]->output();
  EXPECT_EQ((*result)["payload"]["status"], "completed");
  auto calls = gateway_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].path, "/knights/galahad/webhook");
}

// GATEWAY_URL written the way OpenAI clients take a base URL, ending in /v1: not doubled.
TEST_F(BridgeGatewayPrefix, OpenAiModeGoesUnderThePrefixWithoutASecondV1) {
  openclaw_ = std::make_unique<OpenClawStandIn>("openclaw-token", std::set<std::string>{"galahad"}, "/openclaw");
  auto& openclaw = *openclaw_;
  start_bridge({{"GATEWAY_MODE", "openai"}, {"GATEWAY_MODEL", "openclaw:galahad"}, {"GATEWAY_TOKEN", "openclaw-token"},
                {"GATEWAY_URL", openclaw.url() + "/v1"}});
  auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result) << bridges_[0]->output();
  EXPECT_EQ((*result)["payload"]["status"], "completed") << result->dump();
  EXPECT_FALSE(openclaw.calls_to("/openclaw/v1/models").empty());
  EXPECT_EQ(openclaw.calls_to("/openclaw/v1/chat/completions").size(), 1u);
}

}  // namespace
}  // namespace rt::testing
