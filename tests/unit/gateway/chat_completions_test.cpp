// The OpenAI-compatible shapes: a chat request read, a completion, the SSE stream (with and
// without stream_options.include_usage), errors, and the listed model.
#include <gtest/gtest.h>

#include "roundtable/gateway/chat_completions.hpp"
#include "roundtable/gateway/models_route.hpp"

namespace rt::gateway {
namespace {

using nlohmann::json;

json messages(const std::string& last = "status?") {
  return json::array({{{"role", "system"}, {"content", "be brief"}},
                      {{"role", "user"}, {"content", json::array({{{"type", "text"}, {"text", last}}, {{"type", "image_url"}}})}}});
}

std::vector<std::string> data_lines(const std::string& stream) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < stream.size()) {
    auto end = stream.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "every event ends with a blank line";
    if (end == std::string::npos) break;
    std::string event = stream.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    out.push_back(event.substr(6));
    pos = end + 2;
  }
  return out;
}

TEST(ChatRequest, ReadsMessagesStreamOptionsAndModel) {
  auto chat = parse_chat_request({{"model", "fleet-a/tim"}, {"messages", messages()}, {"stream", true},
                                  {"stream_options", {{"include_usage", true}}}, {"max_tokens", 300}});
  ASSERT_TRUE(chat) << chat.error().message;
  EXPECT_TRUE(chat->stream);
  EXPECT_TRUE(chat->include_usage);
  EXPECT_EQ(chat->requested_model, "fleet-a/tim");
  EXPECT_EQ(chat->conversation.extra_system, "be brief\n");
  ASSERT_EQ(chat->conversation.messages.size(), 1u);
  EXPECT_EQ(chat->conversation.messages[0].content[0].text, "status?");
  EXPECT_EQ(chat->conversation.max_tokens, 300);
  EXPECT_EQ(chat->conversation.format, ResponseFormat::markdown);
}

TEST(ChatRequest, ResponseFormatJsonObjectAndSchemaAskForJson) {
  auto object = parse_chat_request({{"messages", messages()}, {"response_format", {{"type", "json_object"}}}});
  ASSERT_TRUE(object);
  EXPECT_EQ(object->conversation.format, ResponseFormat::json);
  auto schema = parse_chat_request({{"messages", messages()},
                                    {"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "w"}, {"schema", {{"type", "object"}}}}}}}});
  ASSERT_TRUE(schema);
  EXPECT_EQ(schema->conversation.format, ResponseFormat::json);
  EXPECT_NE(schema->conversation.extra_system.find(R"({"type":"object"})"), std::string::npos);
  auto text = parse_chat_request({{"messages", messages()}, {"response_format", {{"type", "text"}}}});
  ASSERT_TRUE(text);
  EXPECT_EQ(text->conversation.format, ResponseFormat::markdown);
}

TEST(ChatRequest, AnswerLengthIsAPositiveIntegerOrAbsent) {
  auto chat = parse_chat_request({{"messages", messages()}, {"max_tokens", 64}});
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->conversation.max_tokens, 64);
  chat = parse_chat_request({{"messages", messages()}, {"max_completion_tokens", nullptr}});
  ASSERT_TRUE(chat);
  EXPECT_FALSE(chat->conversation.max_tokens);
}

TEST(ChatRequest, WrongShapesAreRefusedWithAReason) {
  for (const json& body : {json::array(), json{{"messages", "hi"}}, json{{"messages", json::array()}},
                           json{{"messages", messages()}, {"stream", "yes"}}, json{{"messages", messages()}, {"model", 7}},
                           json{{"messages", messages()}, {"stream_options", 1}},
                           json{{"messages", messages()}, {"stream_options", {{"include_usage", "yes"}}}},
                           json{{"messages", messages()}, {"response_format", {{"type", "yaml"}}}},
                           json{{"messages", messages()}, {"response_format", "json"}},
                           json{{"messages", json::array({{{"role", "assistant"}, {"content", "last"}}})}},
                           json{{"messages", messages()}, {"max_tokens", "5"}}, json{{"messages", messages()}, {"max_tokens", -1}},
                           json{{"messages", messages()}, {"max_tokens", 0}}, json{{"messages", messages()}, {"max_tokens", 1.5}},
                           json{{"messages", messages()}, {"max_completion_tokens", 1e308}}}) {
    auto chat = parse_chat_request(body);
    ASSERT_FALSE(chat) << body.dump();
    EXPECT_EQ(chat.error().code, ErrorCode::invalid_params);
    EXPECT_FALSE(chat.error().message.empty());
  }
}

const ChatStamp kStamp{"chatcmpl-1", 1700000000, "fleet-a/tim"};

TEST(ChatCompletion, HasTheFieldsTheSdksRead) {
  llm::Usage usage;
  usage.input_tokens = 12;
  usage.output_tokens = 3;
  usage.cache_read_tokens = 4;
  auto doc = chat_completion(kStamp, "all quiet", usage);
  EXPECT_EQ(doc["object"], "chat.completion");
  EXPECT_EQ(doc["model"], "fleet-a/tim");
  EXPECT_EQ(doc["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(doc["choices"][0]["message"]["content"], "all quiet");
  EXPECT_EQ(doc["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(doc["usage"]["total_tokens"], 15);
  EXPECT_EQ(doc["usage"]["prompt_tokens_details"]["cached_tokens"], 4);
}

TEST(ChatEventStream, WithoutUsageEndsWithStopThenDone) {
  auto events = data_lines(chat_event_stream(kStamp, "all quiet", {}, false));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  auto first = json::parse(events[0]), finish = json::parse(events[2]);
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(json::parse(events[1])["choices"][0]["delta"]["content"], "all quiet");
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
  EXPECT_FALSE(finish.contains("usage")) << "usage only when asked for";
}

TEST(ChatEventStream, IncludeUsageAddsALastChunkWithEmptyChoices) {
  llm::Usage usage;
  usage.input_tokens = 7;
  usage.output_tokens = 2;
  auto events = data_lines(chat_event_stream(kStamp, "ok", usage, true));
  ASSERT_EQ(events.size(), 5u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(json::parse(events[i])["usage"].is_null()) << events[i];
  auto last = json::parse(events[3]);
  EXPECT_EQ(last["choices"], json::array());
  EXPECT_EQ(last["usage"]["prompt_tokens"], 7);
  EXPECT_EQ(last["usage"]["total_tokens"], 9);
  EXPECT_EQ(last["id"], "chatcmpl-1");
  EXPECT_EQ(events[4], "[DONE]");
}

TEST(ChatEventStream, LongTextIsCutOnCharacterBoundaries) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "é€";  // 2- and 3-byte characters
  auto events = data_lines(chat_event_stream(kStamp, text, {}, false));
  std::string joined;
  for (size_t i = 1; i + 2 < events.size(); ++i) {
    auto chunk = json::parse(events[i], nullptr, false);
    ASSERT_FALSE(chunk.is_discarded()) << "chunk " << i << " is valid UTF-8 JSON";
    joined += chunk["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_GT(events.size(), 4u);
  EXPECT_EQ(joined, text);
}

TEST(ChatError, TypeFollowsTheStatus) {
  EXPECT_EQ(chat_error(429, "slow down", "rate_limited")["error"]["type"], "rate_limit_error");
  EXPECT_EQ(chat_error(400, "bad", "")["error"]["type"], "invalid_request_error");
  EXPECT_TRUE(chat_error(400, "bad", "")["error"]["code"].is_null());
  EXPECT_EQ(chat_error(502, "llm down", "model_error")["error"]["type"], "api_error");
  EXPECT_EQ(chat_error(502, "llm down", "model_error")["error"]["code"], "model_error");
  EXPECT_EQ(chat_failure_status(ErrorCode::rate_limited), 429);
  EXPECT_EQ(chat_failure_status(ErrorCode::timeout), 504);
  EXPECT_EQ(chat_failure_status(ErrorCode::model_error), 502);
}

TEST(ModelsRoute, OneModelNamedFleetSlashAgentWithTheLlmBehindIt) {
  ModelCard card{"fleet-a", "tim", "lead", "anthropic", "claude-sonnet-4-5", {"lead"}, 1700000000};
  auto list = model_list(card);
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 1u);
  const json& model = list["data"][0];
  EXPECT_EQ(model["id"], "fleet-a/tim");
  EXPECT_EQ(model["object"], "model");
  EXPECT_EQ(model["created"], 1700000000);
  EXPECT_EQ(model["owned_by"], "roundtable");
  EXPECT_EQ(model["roundtable"]["model"], "claude-sonnet-4-5");
  EXPECT_EQ(model["roundtable"]["role"], "lead");
}

}  // namespace
}  // namespace rt::gateway
