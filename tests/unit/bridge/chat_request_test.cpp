// chat_request_body writes, in one pass, exactly what the openai client used to build as a tree
// and dump: any difference would change what an OpenAI-compatible gateway receives. (Params
// always come from a parse, so their strings are valid UTF-8, as here.)
#include <gtest/gtest.h>

#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

std::string as_tree_dumped(const std::string& model, const std::string& user, const contract::TaskRequest& task) {
  json body = {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", render_task_text(task)}}})}, {"user", user}};
  if (task.max_tokens) body["max_tokens"] = *task.max_tokens;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(BridgeChatRequest, SameBytesAsTheDumpedTree) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  std::vector<contract::TaskRequest> tasks = {
      {"security.briefing", json::object(), "markdown", std::nullopt},
      {"security.briefing", {{"scope", "home"}}, "markdown", 500},
      {"a.b", {{"q", "quote \" backslash \\ slash / tab \t newline \n del \x7f"}, {"n", {1, 2.5, -3, nullptr, true}}}, "json", 1},
      {"a.b", {{"controls", controls}, {"unicode", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"}, {"nested", {{"z", {{"y", "x"}}}}}}, "plain \"text\"", std::nullopt},
      {"a.b", {{"big", std::string(300000, 'x')}}, "markdown", 1000000000},
      {"a.b", json::parse(R"({"k \"q\" \n":{"":[],"e":{}},"f":[1e300,-0.0,1.5e-7,0.1,18446744073709551615,-9223372036854775808,3.0],"u":"\u0000\u001f\ud83d\ude00"})"),
       "markdown", std::nullopt},
  };
  for (const auto& task : tasks)
    for (const auto& [model, user] : std::vector<std::pair<std::string, std::string>>{{"openclaw:main", "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09"},
                                                                                   {"m \"quoted\"", "tim:thread \xC3\xA9"}}) {
      std::string body = chat_request_body(model, user, task);
      EXPECT_EQ(body, as_tree_dumped(model, user, task)) << task.task;
      EXPECT_EQ(json::parse(body)["messages"][0]["content"], render_task_text(task));
    }
}

}  // namespace
}  // namespace rt::bridge
