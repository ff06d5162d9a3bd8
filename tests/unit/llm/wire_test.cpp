// The Anthropic and OpenAI wire shapes, and how HTTP failures are classified.
#include <gtest/gtest.h>

#include "roundtable/llm/wire.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

Request tool_round_request() {
  Request r;
  r.model = "claude-test";
  r.system = "SOUL\n# Memory\nfacts";
  r.max_tokens = 500;
  r.temperature = 0.2;
  r.tools = {{"echo", "echo it", {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}}}};
  r.messages = {{"user", {Block::make_text("Task: security.briefing")}},
                {"assistant", {Block::make_text("let me check"), Block::make_tool_use("toolu_1", "echo", {{"text", "hi"}})}},
                {"user", {Block::make_tool_result("toolu_1", "hi back", false)}}};
  return r;
}

TEST(AnthropicWire, SystemPromptCarriesCacheControlAndToolsAreListed) {
  json body = anthropic_request(tool_round_request());
  EXPECT_EQ(body["model"], "claude-test");
  EXPECT_EQ(body["max_tokens"], 500);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.2);
  ASSERT_EQ(body["system"].size(), 1u);
  EXPECT_EQ(body["system"][0]["text"], "SOUL\n# Memory\nfacts");
  EXPECT_EQ(body["system"][0]["cache_control"]["type"], "ephemeral");
  EXPECT_EQ(body["tools"][0]["name"], "echo");
  EXPECT_EQ(body["tools"][0]["input_schema"]["properties"]["text"]["type"], "string");
  EXPECT_FALSE(body.contains("tool_choice"));
}

TEST(AnthropicWire, ToolTurnsMapToToolUseAndToolResultBlocks) {
  json body = anthropic_request(tool_round_request());
  const json& assistant = body["messages"][1];
  EXPECT_EQ(assistant["role"], "assistant");
  EXPECT_EQ(assistant["content"][1]["type"], "tool_use");
  EXPECT_EQ(assistant["content"][1]["id"], "toolu_1");
  EXPECT_EQ(assistant["content"][1]["input"]["text"], "hi");
  const json& result = body["messages"][2]["content"][0];
  EXPECT_EQ(result["type"], "tool_result");
  EXPECT_EQ(result["tool_use_id"], "toolu_1");
  EXPECT_EQ(result["content"], "hi back");
  EXPECT_EQ(result["is_error"], false);
}

TEST(AnthropicWire, ToolLoopsCacheTheConversationSoFar) {
  json body = anthropic_request(tool_round_request());
  EXPECT_EQ(body["messages"][2]["content"][0]["cache_control"]["type"], "ephemeral");
  EXPECT_FALSE(body["messages"][1]["content"][1].contains("cache_control")) << "one breakpoint on the end, not on every turn";
  Request first;
  first.messages = {{"user", {Block::make_text("Task")}}};
  EXPECT_FALSE(anthropic_request(first)["messages"][0]["content"][0].contains("cache_control")) << "a single question is not worth a cache write";
}

TEST(AnthropicWire, ALastTurnKeepsTheToolsButForbidsTheirUse) {
  auto request = tool_round_request();
  request.tools_allowed = false;
  json body = anthropic_request(request);
  EXPECT_EQ(body["tools"].size(), 1u) << "the API refuses tool turns without tool definitions";
  EXPECT_EQ(body["tool_choice"]["type"], "none");
}

TEST(AnthropicWire, ResponseGivesTextToolUsesAndUsageWithCacheTokens) {
  json answer = {{"model", "claude-x"}, {"stop_reason", "tool_use"},
                 {"content", json::array({{{"type", "text"}, {"text", "checking"}},
                                          {{"type", "tool_use"}, {"id", "toolu_9"}, {"name", "echo"}, {"input", {{"text", "a"}}}}})},
                 {"usage", {{"input_tokens", 11}, {"output_tokens", 7}, {"cache_read_input_tokens", 900}, {"cache_creation_input_tokens", 5}}}};
  auto outcome = anthropic_response(answer.dump(), "asked");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response->model, "claude-x");
  EXPECT_EQ(outcome.response->text(), "checking");
  ASSERT_EQ(outcome.response->tool_uses().size(), 1u);
  EXPECT_EQ(outcome.response->tool_uses()[0].tool_name, "echo");
  EXPECT_EQ(outcome.response->usage.input_tokens, 11);
  EXPECT_EQ(outcome.response->usage.output_tokens, 7);
  EXPECT_EQ(outcome.response->usage.cache_read_tokens, 900);
  EXPECT_EQ(outcome.response->usage.cache_write_tokens, 5);
}

TEST(AnthropicWire, MalformedResponsesAreRetryableModelErrorsNotCrashes) {
  for (const char* body : {"", "not json", "[]", R"({"content":"text"})", R"({"content":[1,{"type":"text","text":5}]})"}) {
    auto outcome = anthropic_response(body, "m");
    if (!outcome.ok()) {
      EXPECT_EQ(outcome.failure.code, ErrorCode::model_error) << body;
      EXPECT_TRUE(outcome.failure.retryable) << body;
    } else {
      EXPECT_EQ(outcome.response->text(), "") << body;
    }
  }
}

TEST(OpenAiWire, SystemFirstThenToolCallsAndToolMessages) {
  json body = openai_request(tool_round_request());
  const json& messages = body["messages"];
  ASSERT_EQ(messages.size(), 4u) << messages.dump();
  EXPECT_EQ(messages[0]["role"], "system");
  EXPECT_EQ(messages[1]["role"], "user");
  EXPECT_EQ(messages[2]["role"], "assistant");
  EXPECT_EQ(messages[2]["tool_calls"][0]["id"], "toolu_1");
  EXPECT_EQ(messages[2]["tool_calls"][0]["function"]["name"], "echo");
  EXPECT_EQ(json::parse(messages[2]["tool_calls"][0]["function"]["arguments"].get<std::string>())["text"], "hi");
  EXPECT_EQ(messages[3]["role"], "tool");
  EXPECT_EQ(messages[3]["tool_call_id"], "toolu_1");
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["parameters"]["type"], "object");
  EXPECT_FALSE(body.contains("tool_choice"));
  auto last = tool_round_request();
  last.tools_allowed = false;
  EXPECT_EQ(openai_request(last)["tool_choice"], "none");
}

TEST(OpenAiWire, ToolAnswersComeBeforeAUserTextOfTheSameTurn) {
  auto request = tool_round_request();
  request.messages[2].content.push_back(Block::make_text("and also"));
  json messages = openai_request(request)["messages"];
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages[3]["role"], "tool");
  EXPECT_EQ(messages[4]["role"], "user");
}

TEST(OpenAiWire, ResponseGivesToolCallsAndUsageWithCachedTokensApart) {
  json answer = {{"model", "gpt-x"},
                 {"choices", json::array({{{"finish_reason", "tool_calls"},
                                           {"message", {{"role", "assistant"}, {"content", nullptr},
                                                        {"tool_calls", json::array({{{"id", "call_1"}, {"type", "function"},
                                                                                     {"function", {{"name", "echo"}, {"arguments", "{\"text\":\"x\"}"}}}}})}}}}})},
                 {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 9}, {"prompt_tokens_details", {{"cached_tokens", 60}}}}}};
  auto outcome = openai_response(answer.dump(), "asked");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response->stop_reason, "tool_use");
  ASSERT_EQ(outcome.response->tool_uses().size(), 1u);
  EXPECT_EQ(outcome.response->tool_uses()[0].tool_input["text"], "x");
  EXPECT_EQ(outcome.response->usage.input_tokens, 40) << "prompt tokens minus the cached ones, as Anthropic counts";
  EXPECT_EQ(outcome.response->usage.cache_read_tokens, 60);
  EXPECT_EQ(outcome.response->usage.output_tokens, 9);
}

// Arguments that are not a JSON object stay as the model sent them (the agent answers the call
// with an error instead of running the tool with {}); an object sent as it is, is taken.
TEST(OpenAiWire, BrokenArgumentsAreKeptForTheModelToBeTold) {
  json answer = {{"choices", json::array({{{"message", {{"tool_calls", json::array({{{"id", "c"}, {"function", {{"name", "echo"}, {"arguments", "{oops"}}}}})}}}}})}};
  auto outcome = openai_response(answer.dump(), "asked");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response->model, "asked");
  EXPECT_EQ(outcome.response->tool_uses()[0].tool_input, json("{oops"));
  json lenient = {{"choices", json::array({{{"message", {{"tool_calls", json::array({{{"id", "c"}, {"function", {{"name", "echo"}, {"arguments", {{"a", 1}}}}}}})}}}}})}};
  EXPECT_EQ(openai_response(lenient.dump(), "asked").response->tool_uses()[0].tool_input, json({{"a", 1}}));
  EXPECT_FALSE(openai_response(R"({"choices":[]})", "m").ok());
  EXPECT_FALSE(openai_response(R"({"choices":[3]})", "m").ok());
}

TEST(WireText, InvalidUtf8FromASkillIsReplacedNotThrown) {
  Request r = tool_round_request();
  r.messages[2].content[0].text = std::string("cut \xE2\x82", 6);  // half a euro sign
  std::string text;
  EXPECT_NO_THROW(text = wire_text(anthropic_request(r)));
  EXPECT_NE(text.find("cut \xEF\xBF\xBD"), std::string::npos);
}

TEST(FailureForStatus, ClassifiesRetryableAndPermanentFailures) {
  auto rate = failure_for_status(429, "{}", std::chrono::milliseconds(3000));
  EXPECT_EQ(rate.code, ErrorCode::rate_limited);
  EXPECT_TRUE(rate.retryable);
  EXPECT_EQ(rate.retry_after, std::chrono::milliseconds(3000));
  for (int status : {408, 500, 502, 503, 529}) {
    auto f = failure_for_status(status, "{}", std::nullopt);
    EXPECT_EQ(f.code, ErrorCode::model_error) << status;
    EXPECT_TRUE(f.retryable) << status;
  }
  for (int status : {400, 401, 403, 404}) EXPECT_FALSE(failure_for_status(status, "{}", std::nullopt).retryable) << status;
}

TEST(FailureForStatus, SpendLimitsAreNeverRetried) {
  EXPECT_FALSE(failure_for_status(402, "{}", std::nullopt).retryable);
  EXPECT_FALSE(failure_for_status(400, R"({"error":{"message":"Your credit balance is too low"}})", std::nullopt).retryable);
  auto quota = failure_for_status(429, R"({"error":{"code":"insufficient_quota"}})", std::nullopt);
  EXPECT_FALSE(quota.retryable);
  EXPECT_EQ(quota.code, ErrorCode::model_error);
}

TEST(Utf8Prefix, CutsOnCharacterBoundaries) {
  std::string euros = "\xE2\x82\xAC\xE2\x82\xAC";  // two 3-byte characters
  EXPECT_EQ(utf8_prefix(euros, 4), "\xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix(euros, 6), euros);
  EXPECT_EQ(utf8_prefix("plain", 3), "pla");
  auto message = failure_for_status(500, std::string(299, 'x') + "\xE2\x82\xAC", std::nullopt).message;
  EXPECT_EQ(message.find('\xE2'), std::string::npos) << "the cut character is left out whole";
}

}  // namespace
}  // namespace rt::llm

namespace rt::llm {
namespace {

TEST(ApiEndpoint, BaseUrlsWithAndWithoutPathPrefixes) {
  auto plain = api_endpoint("", "https://api.openai.com", "/v1/chat/completions");
  EXPECT_EQ(plain.origin, "https://api.openai.com");
  EXPECT_EQ(plain.path, "/v1/chat/completions");
  auto local = api_endpoint("http://127.0.0.1:11434/", "https://api.openai.com", "/v1/chat/completions");
  EXPECT_EQ(local.origin, "http://127.0.0.1:11434");
  EXPECT_EQ(local.path, "/v1/chat/completions");
  auto versioned = api_endpoint("http://127.0.0.1:4000/v1", "x", "/v1/chat/completions");
  EXPECT_EQ(versioned.origin, "http://127.0.0.1:4000");
  EXPECT_EQ(versioned.path, "/v1/chat/completions");
  auto proxy = api_endpoint("https://openrouter.ai/api/v1", "x", "/v1/chat/completions");
  EXPECT_EQ(proxy.origin, "https://openrouter.ai");
  EXPECT_EQ(proxy.path, "/api/v1/chat/completions");
  auto prefixed = api_endpoint("https://gw.example/anthropic", "x", "/v1/messages");
  EXPECT_EQ(prefixed.path, "/anthropic/v1/messages");
}

}  // namespace
}  // namespace rt::llm
