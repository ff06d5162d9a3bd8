// LLM API answers are outside input: wrong types, deep nesting and huge numbers must give a
// model_error or a clamped value, never an exception.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "roundtable/llm/wire.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

std::string deep(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(HostileAnthropicAnswer, WrongTypesAreSkippedNotThrown) {
  json answer = {{"model", 5}, {"stop_reason", 7},
                 {"content", {{{"type", 5}, {"text", "a"}}, {{"type", "text"}, {"text", 9}}, {{"type", "text"}, {"text", "kept"}}, 3}},
                 {"usage", {{"input_tokens", 1e300}, {"output_tokens", std::numeric_limits<uint64_t>::max()}}}};
  Outcome outcome = Outcome::fail(Failure{});
  ASSERT_NO_THROW(outcome = anthropic_response(answer.dump(), "claude"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response->model, "claude");
  ASSERT_EQ(outcome.response->content.size(), 1u);
  EXPECT_EQ(outcome.response->content[0].text, "kept");
  EXPECT_LE(outcome.response->usage.output_tokens, kMaxUsageTokens);
  EXPECT_GE(outcome.response->usage.input_tokens, 0);
}

TEST(HostileAnthropicAnswer, DeepNestingIsAModelError) {
  std::string body = R"({"content":[{"type":"tool_use","id":"t","name":"n","input":{"x":)" + deep(100000) + "}}]}";
  auto outcome = anthropic_response(body, "claude");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.code, ErrorCode::model_error);
}

// Not parsed past the depth limit, and not run: kept as text, so the agent tells the model.
TEST(HostileOpenAiAnswer, DeepToolArgumentsAreKeptAsTextNotParsed) {
  json answer = {{"choices", {{{"message", {{"tool_calls", {{{"id", "c"}, {"function", {{"name", "echo"}, {"arguments", deep(100000)}}}}}}}}}}}};
  Outcome outcome = Outcome::fail(Failure{});
  ASSERT_NO_THROW(outcome = openai_response(answer.dump(), "gpt"));
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome.response->tool_uses().size(), 1u);
  EXPECT_TRUE(outcome.response->tool_uses()[0].tool_input.is_string());
}

TEST(HostileOpenAiAnswer, DeepBodyIsAModelErrorAndHugeUsageIsClamped) {
  EXPECT_FALSE(openai_response(R"({"choices":)" + deep(100000) + "}", "gpt").ok());
  json answer = {{"choices", {{{"message", {{"content", "hi"}}}}}}, {"usage", {{"prompt_tokens", 1e300}, {"completion_tokens", -1}}}};
  auto outcome = openai_response(answer.dump(), "gpt");
  ASSERT_TRUE(outcome.ok());
  EXPECT_LE(outcome.response->usage.input_tokens, kMaxUsageTokens);
  EXPECT_EQ(outcome.response->usage.output_tokens, 0);
}

}  // namespace
}  // namespace rt::llm
