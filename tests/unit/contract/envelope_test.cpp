#include <gtest/gtest.h>

#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

const char* kId = "3f2b8c1e-9d4a-4b7e-8f21-6a5c0d9e1b42";

json valid() {
  return {{"id", kId}, {"version", "1.0"}, {"type", "task.request"}, {"from", "tim"}, {"to", "galahad"}, {"fleet", "fleet-a"},
          {"timestamp", "2026-02-08T15:00:00Z"}, {"correlationId", "c-1"}, {"priority", "high"}, {"ttl", 60},
          {"payload", {{"task", "security.briefing"}}}};
}

json with(const char* field, json value) {
  json doc = valid();
  doc[field] = std::move(value);
  return doc;
}

json without(const char* field) {
  json doc = valid();
  doc.erase(field);
  return doc;
}

struct Malformed {
  std::string name;
  std::string bytes;
  std::string error;
};

std::vector<Malformed> malformed_inputs() {
  return {
      {"not json", "hello", "not valid JSON"},
      {"truncated json", R"({"id": "x", "version":)", "not valid JSON"},
      {"empty", "", "not valid JSON"},
      {"json array", "[1,2,3]", "must be a JSON object"},
      {"json string", R"("task")", "must be a JSON object"},
      {"missing id", without("id").dump(), "missing required field 'id'"},
      {"missing version", without("version").dump(), "missing required field 'version'"},
      {"missing type", without("type").dump(), "missing required field 'type'"},
      {"missing from", without("from").dump(), "missing required field 'from'"},
      {"missing timestamp", without("timestamp").dump(), "missing required field 'timestamp'"},
      {"missing payload", without("payload").dump(), "missing required field 'payload'"},
      {"id is a number", with("id", 42).dump(), "'id' must be a string"},
      {"version is a number", with("version", 1.0).dump(), "'version' must be a string"},
      {"from is null", with("from", nullptr).dump(), "'from' must be a string"},
      {"ttl is a string", with("ttl", "60").dump(), "'ttl' must be an integer"},
      {"ttl is a float", with("ttl", 1.5).dump(), "'ttl' must be an integer"},
      {"negative ttl", with("ttl", -5).dump(), "must not be negative"},
      {"priority is a number", with("priority", 3).dump(), "'priority' must be a string"},
      {"unknown priority", with("priority", "urgent").dump(), "low|normal|high|critical"},
      {"payload is an array", with("payload", json::array()).dump(), "'payload' must be an object"},
      {"payload is a string", with("payload", "do it").dump(), "'payload' must be an object"},
      {"to is a number", with("to", 7).dump(), "'to' must be a string"},
      {"correlationId is an object", with("correlationId", json::object()).dump(), "'correlationId' must be a string"},
      {"major version 2", with("version", "2.0").dump(), "unsupported contract version '2.0'"},
      {"major version 2.1", with("version", "2.1").dump(), "unsupported contract version"},
      {"version not a number", with("version", "x").dump(), "must look like '1.0'"},
      {"uuid not hex", with("id", "3f2b8c1e-9d4a-4b7e-8f21-6a5c0d9e1bZZ").dump(), "uuid v4"},
      {"uuid too short", with("id", "3f2b8c1e-9d4a-4b7e-8f21").dump(), "uuid v4"},
      {"uuid version 1", with("id", "3f2b8c1e-9d4a-1b7e-8f21-6a5c0d9e1b42").dump(), "uuid v4"},
      {"timestamp month 13", with("timestamp", "2026-13-01T00:00:00Z").dump(), "RFC 3339"},
      {"timestamp in words", with("timestamp", "yesterday").dump(), "RFC 3339"},
      {"timestamp without zone", with("timestamp", "2026-02-08T15:00:00").dump(), "RFC 3339"},
      {"timestamp 30 February", with("timestamp", "2026-02-30T15:00:00Z").dump(), "RFC 3339"},
      {"from with a dot", with("from", "tim.lead").dump(), "'from' value 'tim.lead' is not an identifier"},
      {"from with a star", with("from", "tim*").dump(), "is not an identifier"},
      {"to with a gt", with("to", "gala>had").dump(), "'to' value"},
      {"fleet with a space", with("fleet", "fleet a").dump(), "'fleet' value"},
      {"fleet upper case", with("fleet", "Fleet-A").dump(), "is not an identifier"},
      {"from empty", with("from", "").dump(), "is not an identifier"},
      {"from too long", with("from", std::string(65, 'a')).dump(), "is not an identifier"},
      {"type with a space", with("type", "task request").dump(), "dotted identifiers"},
      {"oversize", with("payload", {{"task", "security.x"}, {"blob", std::string(kMaxTaskBytes, 'x')}}).dump(), "over the limit"},
  };
}

TEST(Envelope, EveryMalformedInputIsRefusedWithItsReason) {
  auto inputs = malformed_inputs();
  ASSERT_GE(inputs.size(), 30u);
  for (const auto& input : inputs) {
    auto parsed = parse_envelope(input.bytes);
    ASSERT_FALSE(parsed.ok()) << input.name;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_params) << input.name;
    EXPECT_NE(parsed.error().message.find(input.error), std::string::npos)
        << input.name << ": expected '" << input.error << "' in '" << parsed.error().message << "'";
  }
}

TEST(Envelope, ValidEnvelopeParsesEveryField) {
  auto parsed = parse_envelope(valid().dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->id, kId);
  EXPECT_EQ(parsed->type, "task.request");
  EXPECT_EQ(parsed->from, "tim");
  EXPECT_EQ(parsed->to, std::optional<std::string>("galahad"));
  EXPECT_EQ(parsed->fleet, std::optional<std::string>("fleet-a"));
  EXPECT_EQ(parsed->correlation_id, std::optional<std::string>("c-1"));
  EXPECT_EQ(parsed->priority, Priority::high);
  EXPECT_EQ(parsed->ttl_seconds, 60);
  EXPECT_EQ(parsed->payload["task"], "security.briefing");
}

TEST(Envelope, DefaultsArePriorityNormalAndTtlOneHour) {
  json minimal = {{"id", kId}, {"version", "1.3"}, {"type", "task.request"}, {"from", "tim"},
                  {"timestamp", "2026-02-08T15:00:00+01:00"}, {"payload", json::object()}};
  auto parsed = parse_envelope(minimal.dump());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->priority, Priority::normal);
  EXPECT_EQ(parsed->ttl_seconds, 3600);
  EXPECT_FALSE(parsed->to.has_value());
}

TEST(Envelope, RoundTripKeepsUnknownFields) {
  json doc = valid();
  doc["traceparent"] = "00-abc-01";
  doc["x-custom"] = {{"nested", true}};
  auto parsed = parse_envelope(doc.dump());
  ASSERT_TRUE(parsed);
  json back = json::parse(serialize(*parsed));
  EXPECT_EQ(back, doc);
}

TEST(Envelope, ExpiryFollowsTimestampPlusTtl) {
  auto parsed = parse_envelope(valid().dump());  // 2026-02-08T15:00:00Z + 60s
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->expired(*parse_rfc3339("2026-02-08T15:00:59Z")));
  EXPECT_TRUE(parsed->expired(*parse_rfc3339("2026-02-08T15:01:01Z")));
  parsed->ttl_seconds = 0;
  EXPECT_FALSE(parsed->expired(*parse_rfc3339("2030-01-01T00:00:00Z"))) << "ttl 0 never expires";
}

TEST(Envelope, MadeEnvelopesAreValid) {
  auto env = make_envelope("task.request", "cli", {{"task", "a.b"}}, std::chrono::system_clock::now());
  EXPECT_TRUE(is_uuid_v4(env.id));
  EXPECT_TRUE(parse_rfc3339(env.timestamp).has_value());
  EXPECT_EQ(env.version, "1.0");
  EXPECT_TRUE(parse_envelope(serialize(env)).ok());
  EXPECT_NE(make_envelope("x", "y", {}, std::chrono::system_clock::now()).id, env.id);
}

TEST(Envelope, ReadableIdOnlyFromAValidUuid) {
  EXPECT_EQ(readable_id(with("version", "2.0").dump()), std::optional<std::string>(kId));
  EXPECT_EQ(readable_id("{broken"), std::nullopt);
  EXPECT_EQ(readable_id(with("id", "a.b.c").dump()), std::nullopt);
}

}  // namespace
}  // namespace rt::contract
