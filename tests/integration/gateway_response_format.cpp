// A task's responseFormat through the real knight-gateway and a scripted LLM: the model is told
// the format, the result says it, and a json answer that does not parse is asked for once more,
// then failed as model_error.
#include <gtest/gtest.h>

#include "fixtures/gateway_harness.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class GatewayResponseFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = std::make_unique<GatewayProcess>(
        ws_.dir(), std::map<std::string, std::string>{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                                      {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"LLM_RETRY_ATTEMPTS", "1"}});
    gateway_->start();
    ASSERT_TRUE(gateway_->wait_ready()) << gateway_->output();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 10000) << "\n";
  }
  // POST /webhook with a task asking for `format`.
  std::pair<int, json> task(const std::string& format) {
    json payload = {{"task", "security.briefing"}, {"params", {{"scope", "castle"}}}, {"responseFormat", format}};
    auto envelope = contract::make_envelope("task.request", "tim", payload, std::chrono::system_clock::now());
    auto [status, body] = gateway_->post("/webhook", contract::serialize(envelope));
    return {status, json::parse(body, nullptr, false)};
  }
  std::string system_of(size_t call) { return llm_.calls().at(call).json["system"][0]["text"]; }

  TempWorkspace ws_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(GatewayResponseFormat, MarkdownIsTheDefaultAndIsAskedFor) {
  script_.then(anthropic_text("## Walls\n- quiet"));
  auto [status, answer] = task("markdown");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["format"], "markdown");
  EXPECT_NE(system_of(0).find("Answer in Markdown"), std::string::npos);
}

TEST_F(GatewayResponseFormat, TextIsAskedForAndAnsweredAsText) {
  script_.then(anthropic_text("The walls are quiet."));
  auto [status, answer] = task("text");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "completed");
  EXPECT_EQ(answer["result"]["format"], "text");
  EXPECT_EQ(answer["result"]["content"], "The walls are quiet.");
  EXPECT_NE(system_of(0).find("plain text"), std::string::npos);
}

TEST_F(GatewayResponseFormat, JsonIsAskedForAndAnsweredAsJson) {
  script_.then(anthropic_text("```json\n{\"walls\":\"quiet\",\"gates\":2}\n```"));
  auto [status, answer] = task("json");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(answer["status"], "completed") << answer;
  EXPECT_EQ(answer["result"]["format"], "json");
  EXPECT_EQ(json::parse(answer["result"]["content"].get<std::string>()), json({{"walls", "quiet"}, {"gates", 2}}));
  EXPECT_NE(system_of(0).find("exactly one JSON value"), std::string::npos);
  EXPECT_EQ(llm_.calls().size(), 1u);
}

TEST_F(GatewayResponseFormat, ProseForJsonIsCorrectedOnce) {
  script_.then(anthropic_text("The walls are quiet."));
  script_.then(anthropic_text("{\"walls\":\"quiet\"}"));
  auto [status, answer] = task("json");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(answer["status"], "completed") << answer;
  EXPECT_EQ(answer["result"]["format"], "json");
  EXPECT_EQ(answer["result"]["content"], "{\"walls\":\"quiet\"}");
  EXPECT_EQ(answer["result"]["metadata"]["inputTokens"], 200) << "both calls are counted";
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 2u);
  const json& messages = calls[1].json["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_EQ(messages[1]["content"][0]["text"], "The walls are quiet.");
  EXPECT_NE(messages[2]["content"][0]["text"].get<std::string>().find("not valid JSON"), std::string::npos);
}

TEST_F(GatewayResponseFormat, JsonThatNeverParsesFailsModelError) {
  script_.then(anthropic_text("The walls are quiet."));
  script_.then(anthropic_text("{\"walls\": quiet"));
  auto [status, answer] = task("json");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["error"], "model_error");
  EXPECT_EQ(answer["retryable"], true);
  EXPECT_EQ(llm_.calls().size(), 2u) << "asked once more, not again";
}

TEST_F(GatewayResponseFormat, AnUnknownFormatIsInvalidParams) {
  auto [status, answer] = task("html");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["error"], "invalid_params");
  EXPECT_NE(answer["message"].get<std::string>().find("markdown, text or json"), std::string::npos);
  EXPECT_TRUE(llm_.calls().empty());
}

}  // namespace
}  // namespace rt::testing
