// The contract's parse functions fed hostile input: wrong types, huge numbers, deep nesting.
// Every case must give a typed result, never an exception or undefined behaviour (these tests
// also run under -fsanitize=undefined).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

json valid_envelope() {
  return {{"id", make_uuid_v4()}, {"version", "1.0"}, {"type", "task.request"}, {"from", "tim"},
          {"timestamp", "2026-02-08T15:00:00Z"}, {"payload", {{"task", "security.briefing"}}}};
}

std::string nested(const std::string& open, const std::string& close, size_t depth) {
  std::string out;
  out.reserve(depth * (open.size() + close.size()) + 2);
  for (size_t i = 0; i < depth; ++i) out += open;
  out += "1";
  for (size_t i = 0; i < depth; ++i) out += close;
  return out;
}

TEST(HostileEnvelope, PayloadNestedTwoHundredThousandDeepIsInvalidParams) {
  std::string id = make_uuid_v4();
  json head = valid_envelope();
  head["id"] = id;
  head.erase("payload");
  std::string bytes = head.dump();
  bytes.pop_back();
  bytes += R"(,"payload":{"task":"security.briefing","params":{"x":)" + nested("[", "]", 200000) + "}}}";
  ASSERT_LT(bytes.size(), kMaxTaskBytes);
  auto envelope = parse_envelope(bytes);
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.error().code, ErrorCode::invalid_params);
  EXPECT_NE(envelope.error().message.find("nested deeper"), std::string::npos) << envelope.error().message;
  EXPECT_EQ(readable_id(bytes), id) << "the id of a too-deep task is still readable, so it can be failed";
}

TEST(HostileEnvelope, ObjectsNestedDeepAndUnterminatedAreRefused) {
  EXPECT_FALSE(parse_envelope(nested("{\"a\":", "}", 100000)).ok());
  EXPECT_FALSE(parse_envelope(std::string(100000, '[')).ok());
  EXPECT_EQ(readable_id(std::string(100000, '[')), std::nullopt);
}

TEST(HostileEnvelope, WrongTypeForEveryFieldIsInvalidParams) {
  const json wrong_values[] = {json(nullptr), json(7), json(1e300), json(true), json::array({1}), json::object(), json("x")};
  for (const char* field : {"id", "version", "type", "from", "to", "fleet", "timestamp", "correlationId", "priority", "ttl", "payload"}) {
    for (const auto& value : wrong_values) {
      json doc = valid_envelope();
      doc[field] = value;
      Result<Envelope> parsed = make_error(ErrorCode::internal_error, "not run");
      ASSERT_NO_THROW(parsed = parse_envelope(doc.dump())) << field << "=" << value.dump();
      if (!parsed) {
        EXPECT_EQ(parsed.error().code, ErrorCode::invalid_params) << field << "=" << value.dump();
      }
    }
  }
}

TEST(HostileEnvelope, HugeTtlMeansNeverExpiresNotNegative) {
  json doc = valid_envelope();
  doc["ttl"] = std::numeric_limits<uint64_t>::max();
  auto envelope = parse_envelope(doc.dump());
  ASSERT_TRUE(envelope.ok()) << envelope.error().message;
  EXPECT_GT(envelope->ttl_seconds, 0);
  EXPECT_FALSE(envelope->expired(std::chrono::system_clock::now()));
  doc["ttl"] = 1e300;
  EXPECT_FALSE(parse_envelope(doc.dump()).ok());
}

TEST(HostileEnvelope, ErrorMessagesQuoteOnlyAnExcerptOfHugeValues) {
  for (const char* field : {"version", "type", "from", "to", "priority", "timestamp", "id"}) {
    json doc = valid_envelope();
    doc[field] = std::string(1 << 19, '2');
    auto parsed = parse_envelope(doc.dump());
    ASSERT_FALSE(parsed.ok()) << field;
    EXPECT_LT(parsed.error().message.size(), 1024u) << field;
  }
  json doc = valid_envelope();
  doc["payload"]["task"] = std::string(1 << 19, 'x');
  auto task = parse_task_request(doc["payload"]);
  ASSERT_FALSE(task.ok());
  EXPECT_LT(task.error().message.size(), 1024u);
}

TEST(HostileEnvelope, NulBytesAndInvalidUtf8AreInvalidParams) {
  EXPECT_FALSE(parse_envelope(std::string("{\"id\":\"a\0b\"}", 12)).ok());
  EXPECT_FALSE(parse_envelope("{\"id\":\"\xff\xfe\"}").ok());
  EXPECT_FALSE(parse_envelope("").ok());
}

TEST(HostileTaskRequest, MaxTokensOutOfRange) {
  json payload = {{"task", "security.briefing"}};
  payload["maxTokens"] = std::numeric_limits<uint64_t>::max();
  auto request = parse_task_request(payload);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->max_tokens, kMaxTaskTokens);
  for (const json& bad : {json(1e300), json(-1), json(0), json("100"), json(-1e300)}) {
    payload["maxTokens"] = bad;
    EXPECT_FALSE(parse_task_request(payload).ok()) << bad.dump();
  }
  // From text, 0 is an unsigned number: still not positive.
  EXPECT_FALSE(parse_task_request(json::parse(R"({"task":"security.briefing","maxTokens":0})")).ok());
  EXPECT_TRUE(parse_task_request(json::parse(R"({"task":"security.briefing","maxTokens":7})")).ok());
}

TEST(HostileTaskFailure, RetryAfterIsClampedToADay) {
  json failure = {{"error", "rate_limited"}, {"message", "slow down"}};
  const std::pair<json, std::optional<int64_t>> cases[] = {
      {json(1e300), 86400}, {json(-1e300), std::nullopt}, {json(-1), std::nullopt}, {json(30), 30},
      {json(std::numeric_limits<uint64_t>::max()), 86400}, {json(2.5), 2}, {json("60"), std::nullopt}, {json(nullptr), std::nullopt}};
  for (const auto& [value, expected] : cases) {
    failure["retryAfterSeconds"] = value;
    auto parsed = parse_task_failure(failure);
    ASSERT_TRUE(parsed.ok()) << value.dump();
    EXPECT_EQ(parsed->retry_after_seconds, expected) << value.dump();
  }
}

TEST(HostileTaskFailure, WrongTypesGiveDefaults) {
  auto parsed = parse_task_failure({{"error", "timeout"}, {"message", 5}, {"retryable", "yes"}, {"attempt", 1e300}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->message, "");
  EXPECT_TRUE(parsed->retryable);
  EXPECT_GE(parsed->attempt, 1);
  EXPECT_FALSE(parse_task_failure({{"error", 5}}).ok());
  EXPECT_FALSE(parse_task_failure(json::array()).ok());
}

TEST(HostileTaskResult, MetadataNumbersAreClamped) {
  json answer = {{"status", "completed"},
                 {"result", {{"content", "ok"},
                             {"format", 7},
                             {"metadata", {{"model", 3}, {"inputTokens", 1e300}, {"outputTokens", -5}, {"cacheReadTokens", std::numeric_limits<uint64_t>::max()},
                                           {"durationMs", 1e300}, {"attempt", -1e300}}}}}};
  auto result = parse_task_result(answer);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->format, "markdown");
  EXPECT_EQ(result->metadata.model, "");
  EXPECT_GT(result->metadata.input_tokens, 0);
  EXPECT_LE(result->metadata.input_tokens, int64_t{1} << 50);
  EXPECT_EQ(result->metadata.output_tokens, 0);
  EXPECT_LE(result->metadata.cache_read_tokens, int64_t{1} << 50);
  EXPECT_LE(result->metadata.duration_ms, int64_t{31} * 86'400'000);
  EXPECT_EQ(result->metadata.attempt, 1);
}

TEST(HostileTaskResult, ResultThatIsNotAnObjectIsRefused) {
  for (const json& inner : {json("text"), json(5), json::array(), json(nullptr)}) {
    auto result = parse_task_result({{"status", "completed"}, {"result", inner}});
    EXPECT_FALSE(result.ok()) << inner.dump();
  }
  EXPECT_FALSE(parse_task_result({{"status", "completed"}, {"result", {{"format", "markdown"}}}}).ok());
}

TEST(HostileProgress, PercentOutOfRangeIsClamped) {
  EXPECT_EQ(parse_progress({{"percent", 1e300}}).percent, 100);
  EXPECT_EQ(parse_progress({{"percent", -1e300}}).percent, 0);
  EXPECT_EQ(parse_progress({{"percent", std::numeric_limits<uint64_t>::max()}}).percent, 100);
  EXPECT_EQ(parse_progress({{"percent", "50"}}).percent, std::nullopt);
  EXPECT_NO_THROW(parse_progress({{"message", 5}, {"subTasks", {5, "x", {{"id", 1}}}}}));
}

TEST(HostileHeartbeat, CountsAreClamped) {
  json beat = {{"status", 5}, {"uptime", 1e300}, {"activeTaskCount", -1e300},
               {"consumers", {{{"name", "c"}, {"pending", 1e300}, {"ackPending", -1}, {"redelivered", std::numeric_limits<uint64_t>::max()}}}}};
  auto parsed = parse_heartbeat(beat);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->status, "unhealthy");
  EXPECT_GT(parsed->uptime_seconds, 0);
  EXPECT_EQ(parsed->active_task_count, 0);
  ASSERT_EQ(parsed->consumers.size(), 1u);
  EXPECT_EQ(parsed->consumers[0].ack_pending, 0u);
  EXPECT_LT(parsed->consumers[0].redelivered, uint64_t{1} << 63);
}

}  // namespace
}  // namespace rt::contract
