// knight-gateway against hostile HTTP input: bodies nested 100,000 deep, wrongly typed chat
// content, an LLM answering nonsense. Each is a 4xx or a typed failure; the process lives on.
#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class GatewayHostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = std::make_unique<ScriptedLlm>(llm_);
    gateway_ = std::make_unique<GatewayProcess>(
        workspace_.dir(), std::map<std::string, std::string>{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()}, {"ANTHROPIC_API_KEY", "k"}});
    gateway_->start();
    ASSERT_TRUE(gateway_->wait_ready()) << gateway_->output();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 20000) << "\n";
  }
  void expect_alive_and_working() {
    ASSERT_TRUE(gateway_->process().running()) << "the gateway died";
    auto [status, answer] = gateway_->task();
    EXPECT_EQ(status, 200);
    EXPECT_EQ(answer.value("status", ""), "completed") << answer.dump();
  }

  FakeGateway llm_;
  std::unique_ptr<ScriptedLlm> script_;
  TempWorkspace workspace_;
  std::unique_ptr<GatewayProcess> gateway_;
};

std::string deep_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(GatewayHostileInput, WebhookNestedOneHundredThousandDeepIs400) {
  json head = {{"id", make_uuid_v4()}, {"version", "1.0"}, {"type", "task.request"}, {"from", "tim"},
               {"timestamp", format_rfc3339(std::chrono::system_clock::now())}};
  std::string body = head.dump();
  body.pop_back();
  body += R"(,"payload":{"task":"security.briefing","params":{"x":)" + deep_arrays(100000) + "}}}";
  auto [status, text] = gateway_->post("/webhook", body);
  EXPECT_EQ(status, 400) << text.substr(0, 300);
  auto answer = json::parse(text, nullptr, false);
  EXPECT_EQ(answer.value("error", ""), "invalid_params") << text.substr(0, 300);
  expect_alive_and_working();
}

TEST_F(GatewayHostileInput, ChatNestedOneHundredThousandDeepIs400) {
  const std::string bodies[] = {
      R"({"messages":[{"role":"user","content":"hi"}],"metadata":)" + deep_arrays(100000) + "}",
      R"({"messages":[{"role":"user","content":)" + deep_arrays(100000) + "}]}",
      deep_arrays(100000),
  };
  for (const auto& body : bodies) {
    auto [status, text] = gateway_->post("/v1/chat/completions", body);
    EXPECT_EQ(status, 400) << text.substr(0, 300);
    ASSERT_TRUE(gateway_->process().running());
  }
  expect_alive_and_working();
}

TEST_F(GatewayHostileInput, WronglyTypedChatContentIs400Not500) {
  const json bodies[] = {
      {{"messages", {{{"role", "user"}, {"content", {{{"type", "text"}, {"text", 5}}}}}}}},
      {{"messages", {{{"role", "user"}, {"content", {{{"type", "text"}, {"text", {{"nested", "object"}}}}}}}}}},
      {{"messages", {{{"role", "user"}, {"content", 42}}}}},
  };
  for (const auto& body : bodies) {
    auto [status, text] = gateway_->post("/v1/chat/completions", body.dump());
    EXPECT_EQ(status, 400) << body.dump() << " -> " << text;
  }
  // A part whose type is not a string is simply not text: skipped, not a server error.
  json odd_type = {{"messages", {{{"role", "user"}, {"content", {{{"type", 5}, {"text", "x"}}, {{"type", "text"}, {"text", "hello"}}}}}}}};
  auto [status, text] = gateway_->post("/v1/chat/completions", odd_type.dump());
  EXPECT_EQ(status, 200) << text;
  expect_alive_and_working();
}

TEST_F(GatewayHostileInput, AttemptHeaderBeyondIntIsClamped) {
  auto [status, answer] = gateway_->task("security.briefing", json::object(), {{"X-Roundtable-Attempt", "99999999999999999999999"}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["metadata"].value("attempt", 0), 1000000) << answer.dump();
  expect_alive_and_working();
}

TEST_F(GatewayHostileInput, NonsenseFromTheLlmIsAModelErrorNotACrash) {
  GatewayReply odd;
  odd.body = json{{"content", {{{"type", 5}}, {{"type", "text"}, {"text", {1, 2}}}, 7}}, {"stop_reason", 9},
                  {"usage", {{"input_tokens", 1e300}}}}.dump();
  script_->then(odd);
  auto [status, answer] = gateway_->task();
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(answer.is_object()) << answer.dump();
  GatewayReply deep;
  deep.body = R"({"content":)" + deep_arrays(100000) + "}";
  script_->otherwise([deep](const GatewayCall&) { return deep; });  // every retry gets it too
  auto [deep_status, deep_answer] = gateway_->task();
  EXPECT_EQ(deep_status, 200);
  EXPECT_EQ(deep_answer.value("status", ""), "failed") << deep_answer.dump();
  script_->otherwise([](const GatewayCall&) { return anthropic_text("default answer"); });
  expect_alive_and_working();
}

}  // namespace
}  // namespace rt::testing
