// The request text written from parts (cached tool schemas) is the whole request's text.
#include <gtest/gtest.h>

#include "roundtable/llm/wire.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

Request request_with_tools() {
  Request r;
  r.model = "test-model";
  r.system = "SOUL\n# Memory\nfacts \xff broken";
  r.max_tokens = 500;
  r.temperature = 0.2;
  r.tools = {{"echo", "echo it", {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}}},
             {"remember", "Append a fact \xe2\x80\x94 durable", {{"type", "object"}, {"required", {"fact"}}}}};
  r.messages = {{"user", {Block::make_text("Task: security.briefing")}},
                {"assistant", {Block::make_text("let me check"), Block::make_tool_use("toolu_1", "echo", {{"text", "hi"}})}},
                {"user", {Block::make_tool_result("toolu_1", "hi back", false)}}};
  return r;
}

std::vector<Request> variants() {
  Request first = request_with_tools();
  Request last_turn = first;
  last_turn.tools_allowed = false;
  Request no_tools = first;
  no_tools.tools.clear();
  Request other_tools = first;
  other_tools.tools[1].input_schema["required"] = json::array({"fact", "why"});
  return {first, first, last_turn, no_tools, other_tools, first};
}

TEST(RequestText, OpenAiTextFromCachedToolsIsTheWholeRequestsText) {
  ToolsText cache;
  for (const auto& r : variants()) EXPECT_EQ(openai_request_text(r, cache), wire_text(openai_request(r)));
}

TEST(RequestText, AnthropicTextFromCachedToolsIsTheWholeRequestsText) {
  ToolsText cache;
  for (auto r : variants()) {
    EXPECT_EQ(anthropic_request_text(r, cache), wire_text(anthropic_request(r)));
    r.cache_system = false;
    EXPECT_EQ(anthropic_request_text(r, cache), wire_text(anthropic_request(r)));
  }
}

}  // namespace
}  // namespace rt::llm
