// responseFormat: the names, the instructions, the JSON check, and the agent asking once more
// for JSON before it fails model_error (against a scripted provider, the LlmProvider seam).
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/gateway/agent.hpp"
#include "roundtable/gateway/response_format.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ResponseFormat, TheThreeNamesParseAndNothingElse) {
  EXPECT_EQ(parse_response_format("markdown"), ResponseFormat::markdown);
  EXPECT_EQ(parse_response_format("text"), ResponseFormat::text);
  EXPECT_EQ(parse_response_format("json"), ResponseFormat::json);
  EXPECT_FALSE(parse_response_format("JSON"));
  EXPECT_FALSE(parse_response_format("html"));
  EXPECT_FALSE(parse_response_format(""));
  for (auto format : {ResponseFormat::markdown, ResponseFormat::text, ResponseFormat::json})
    EXPECT_EQ(parse_response_format(response_format_name(format)), format);
}

TEST(ResponseFormat, InstructionsSayWhatEachFormatIs) {
  EXPECT_NE(response_format_instructions(ResponseFormat::markdown).find("Markdown"), std::string::npos);
  EXPECT_NE(response_format_instructions(ResponseFormat::text).find("plain text"), std::string::npos);
  EXPECT_NE(response_format_instructions(ResponseFormat::json).find("one JSON value"), std::string::npos);
}

TEST(ResponseFormat, JsonAnswerAcceptsJsonAndOneFenceAroundIt) {
  EXPECT_EQ(*json_answer(R"({"walls":"quiet"})"), R"({"walls":"quiet"})");
  EXPECT_EQ(*json_answer("  \n[1, 2]\n "), "[1, 2]");
  EXPECT_EQ(*json_answer("```json\n{\"a\": 1}\n```"), "{\"a\": 1}");
  EXPECT_EQ(*json_answer("```\n{\"a\": 1}\n```\n"), "{\"a\": 1}");
}

TEST(ResponseFormat, JsonAnswerRefusesProseTruncationAndEmptiness) {
  for (const char* text : {"Here is the JSON: {\"a\":1}", "{\"a\":1", "", "   ", "```json\n```", "{\"a\":1} and more", "```"})
    EXPECT_FALSE(json_answer(text)) << text;
  std::string deep(200, '[');
  EXPECT_FALSE(json_answer(deep + std::string(200, ']'))) << "nesting past the contract's depth";
}

TEST(ResponseFormat, CorrectionCarriesTheReason) {
  auto message = json_correction("not valid JSON");
  EXPECT_NE(message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(message.find("no code fence"), std::string::npos);
}

class FormatProvider final : public llm::Provider {
 public:
  std::deque<std::string> answers;
  std::vector<llm::Request> requests;
  llm::Outcome complete(const llm::Request& request) override {
    requests.push_back(request);
    llm::Response r;
    r.model = "scripted-model";
    r.content.push_back(llm::Block::make_text(answers.empty() ? "default" : answers.front()));
    if (!answers.empty()) answers.pop_front();
    r.usage.input_tokens = 10;
    r.usage.output_tokens = 5;
    return llm::Outcome::success(r);
  }
  std::string name() const override { return "scripted"; }
};

class ResponseFormatAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-format-unit");
    workspace_.dir = dir_;
    workspace_.soul = "# Sir Unit";
    workspace_.memory_file = dir_ / "MEMORY.md";
    std::ofstream(workspace_.memory_file) << "# Memory\n";
    workspace_.knight.name = "unit";
    workspace_.knight.model.name = "main-model";
    workspace_.knight.max_tool_iterations = 1;
    metrics_.counter("roundtable_gateway_rate_limited_total", "x");
  }
  void TearDown() override { fs::remove_all(dir_); }

  AgentAnswer ask(ResponseFormat format) {
    LogSettings settings;
    settings.level = "off";
    RateLimiter limiter(nullptr, "fleet-a", "unit", 0, 0, Logger(settings));
    Agent agent(workspace_, provider_, tools_, limiter, metrics_, Logger(settings));
    Conversation c;
    c.task_id = "task-1";
    c.messages = {{"user", {llm::Block::make_text("Task: security.briefing")}}};
    c.format = format;
    return agent.run(std::move(c));
  }

  fs::path dir_;
  Workspace workspace_;
  FormatProvider provider_;
  ToolRegistry tools_;
  http::MetricsRegistry metrics_;
};

TEST_F(ResponseFormatAgent, TextIsAskedForAndAnsweredAsText) {
  provider_.answers = {"all quiet"};
  auto answer = ask(ResponseFormat::text);
  ASSERT_TRUE(answer.completed);
  EXPECT_EQ(answer.result.format, "text");
  EXPECT_NE(provider_.requests[0].system.find("plain text"), std::string::npos);
}

TEST_F(ResponseFormatAgent, ValidJsonIsAnsweredAtOnceWithoutItsFence) {
  provider_.answers = {"```json\n{\"walls\":\"quiet\"}\n```"};
  auto answer = ask(ResponseFormat::json);
  ASSERT_TRUE(answer.completed);
  EXPECT_EQ(answer.result.format, "json");
  EXPECT_EQ(answer.result.content, "{\"walls\":\"quiet\"}");
  EXPECT_EQ(provider_.requests.size(), 1u);
  EXPECT_NE(provider_.requests[0].system.find("one JSON value"), std::string::npos);
}

TEST_F(ResponseFormatAgent, ProseIsCorrectedOnceWithTheReason) {
  provider_.answers = {"The walls are quiet.", "{\"walls\":\"quiet\"}"};
  auto answer = ask(ResponseFormat::json);
  ASSERT_TRUE(answer.completed);
  EXPECT_EQ(answer.result.content, "{\"walls\":\"quiet\"}");
  ASSERT_EQ(provider_.requests.size(), 2u) << "one corrective call even with max_tool_iterations 1";
  const auto& messages = provider_.requests[1].messages;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].role, "assistant");
  EXPECT_EQ(messages[1].content[0].text, "The walls are quiet.");
  EXPECT_NE(messages[2].content[0].text.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(answer.usage.input_tokens, 20) << "both calls counted";
}

TEST_F(ResponseFormatAgent, TwoBadAnswersFailModelError) {
  provider_.answers = {"no", "still no"};
  auto answer = ask(ResponseFormat::json);
  ASSERT_FALSE(answer.completed);
  EXPECT_EQ(answer.failure.error, ErrorCode::model_error);
  EXPECT_TRUE(answer.failure.retryable);
  EXPECT_EQ(provider_.requests.size(), 2u);
}

}  // namespace
}  // namespace rt::gateway
