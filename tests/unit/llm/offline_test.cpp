// The offline provider: deterministic, labelled, and it uses the skills that need no input.
#include <gtest/gtest.h>

#include "roundtable/llm/providers.hpp"

namespace rt::llm {
namespace {

Request task_request() {
  Request r;
  r.model = "whatever";
  r.system = "# Sir Test\nrules";
  r.messages = {{"user", {Block::make_text("Task: security.briefing\nParameters: {}")}}};
  r.tools = {{"echo", "no input needed", {{"type", "object"}}},
             {"lookup", "needs a query", {{"type", "object"}, {"required", {"query"}}}},
             {"remember", "judgement", {{"type", "object"}}}};
  return r;
}

TEST(OfflineProvider, FirstTurnCallsOnlyTheSkillsThatNeedNoInput) {
  auto offline = make_offline({"galahad", "Sir Test", 3});
  auto outcome = offline->complete(task_request());
  ASSERT_TRUE(outcome.ok());
  auto uses = outcome.response->tool_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].tool_name, "echo");
  EXPECT_EQ(outcome.response->stop_reason, "tool_use");
}

TEST(OfflineProvider, AnswerIsLabelledDeterministicAndShowsToolOutput) {
  auto offline = make_offline({"galahad", "Sir Test", 3});
  auto request = task_request();
  request.messages.push_back({"assistant", {Block::make_tool_use("offline-1", "echo", nlohmann::json::object())}});
  request.messages.push_back({"user", {Block::make_tool_result("offline-1", R"({"items":[{"id":"a","score":1}]})", false)}});
  auto first = offline->complete(request);
  auto second = offline->complete(request);
  ASSERT_TRUE(first.ok());
  std::string text = first.response->text();
  EXPECT_EQ(text, second.response->text());
  EXPECT_NE(text.find("offline answer"), std::string::npos);
  EXPECT_NE(text.find("galahad"), std::string::npos);
  EXPECT_NE(text.find("Task: security.briefing"), std::string::npos);
  EXPECT_NE(text.find("### echo"), std::string::npos);
  EXPECT_NE(text.find("a · 1"), std::string::npos) << text;
  EXPECT_GT(first.response->usage.input_tokens, 0);
}

TEST(OfflineProvider, ATaskAskingForJsonGetsOneJsonValue) {
  auto offline = make_offline({"galahad", "Sir Test", 3});
  Request request;
  request.messages = {{"user", {Block::make_text("Task: security.briefing\nParameters: {}\nResponse format: json\n")}}};
  auto outcome = offline->complete(request);
  ASSERT_TRUE(outcome.ok());
  auto parsed = nlohmann::json::parse(outcome.response->text(), nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << outcome.response->text();
  EXPECT_EQ(parsed["agent"], "galahad");
  EXPECT_NE(parsed["answer"].get<std::string>().find("offline answer"), std::string::npos);
  request.messages = {{"user", {Block::make_text("Task: security.briefing\nParameters: {}\nResponse format: markdown\n")}}};
  EXPECT_TRUE(nlohmann::json::parse(offline->complete(request).response->text(), nullptr, false).is_discarded());
}

TEST(OfflineProvider, WithoutToolsItAnswersAtOnce) {
  auto offline = make_offline({"galahad", "", 0});
  auto request = task_request();
  request.tools.clear();
  auto outcome = offline->complete(request);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome.response->tool_uses().empty());
  EXPECT_EQ(outcome.response->stop_reason, "end_turn");
}

}  // namespace
}  // namespace rt::llm
