#include "roundtable/jsonrpc/message.hpp"

#include <gtest/gtest.h>

namespace rt::jsonrpc {
namespace {

using nlohmann::json;

TEST(JsonRpcMessage, ReadsARequestWithItsIdAndParams) {
  auto message = read_message(std::string_view{R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"a"}})"});
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, Kind::request);
  EXPECT_EQ(message->id, 7);
  EXPECT_EQ(message->method, "tools/list");
  EXPECT_EQ(message->params["cursor"], "a");
}

TEST(JsonRpcMessage, ANotificationHasNoIdAndEmptyParamsWhenAbsent) {
  auto message = read_message(std::string_view{R"({"jsonrpc":"2.0","method":"notifications/initialized"})"});
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, Kind::notification);
  EXPECT_TRUE(message->params.is_object());
}

TEST(JsonRpcMessage, ReadsResultAndErrorResponses) {
  auto ok = read_message(std::string_view{R"({"jsonrpc":"2.0","id":"a","result":{"x":1}})"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->kind, Kind::response);
  EXPECT_EQ(ok->result["x"], 1);
  auto failed = read_message(std::string_view{R"({"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}})"});
  ASSERT_TRUE(failed);
  ASSERT_TRUE(failed->error);
  EXPECT_EQ(failed->error->code, kMethodNotFound);
}

TEST(JsonRpcMessage, HostileOrWrongInputGivesTheErrorToAnswerWith) {
  auto not_json = read_message(std::string_view{"{"});
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.failure().error.code, kParseError);
  std::string deep(200000, '[');
  EXPECT_EQ(read_message(std::string_view{deep}).failure().error.code, kParseError);
  auto wrong_version = read_message(std::string_view{R"({"jsonrpc":"1.0","id":3,"method":"x"})"});
  ASSERT_FALSE(wrong_version);
  EXPECT_EQ(wrong_version.failure().error.code, kInvalidRequest);
  EXPECT_EQ(wrong_version.failure().id, 3);
  EXPECT_FALSE(read_message(std::string_view{R"({"jsonrpc":"2.0","id":{"a":1},"method":"x"})"}));
  EXPECT_FALSE(read_message(std::string_view{R"({"jsonrpc":"2.0","id":1,"method":5})"}));
  EXPECT_FALSE(read_message(std::string_view{R"({"jsonrpc":"2.0","id":1,"method":"x","params":"s"})"}));
  EXPECT_FALSE(read_message(std::string_view{"[1,2]"}));
}

TEST(JsonRpcMessage, WritesReplies) {
  EXPECT_EQ(result_response(1, json{{"ok", true}}).dump(), R"({"id":1,"jsonrpc":"2.0","result":{"ok":true}})");
  auto error = error_response("x", RpcError{kInvalidParams, "bad", json{{"field", "a"}}});
  EXPECT_EQ(error["error"]["code"], kInvalidParams);
  EXPECT_EQ(error["error"]["data"]["field"], "a");
  EXPECT_EQ(rpc_error_from(make_error(ErrorCode::not_found, "m")).code, kMethodNotFound);
}

}  // namespace
}  // namespace rt::jsonrpc
