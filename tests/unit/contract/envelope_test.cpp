// docs/contract.md §4: the envelope. A table of malformed inputs, each rejected with a message that
// names what is wrong, and the positive behaviour (defaults, round trip, expiry).
#include "roundtable/contract/envelope.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kId = "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f";

json valid_document() {
  return json{{"id", kId},
              {"version", "1.0"},
              {"type", "task.request"},
              {"from", "tim"},
              {"to", "galahad"},
              {"fleet", "fleet-a"},
              {"timestamp", "2026-02-08T15:00:00Z"},
              {"correlationId", "9d2b7a1c-3e4f-4a5b-8c6d-7e8f9a0b1c2d"},
              {"priority", "high"},
              {"ttl", 120},
              {"payload", {{"task", "security.briefing"}}}};
}

// The valid document with one field replaced (or removed when `value` is discarded).
std::string with(const std::string& field, const json& value) {
  json doc = valid_document();
  doc[field] = value;
  return doc.dump();
}

std::string without(const std::string& field) {
  json doc = valid_document();
  doc.erase(field);
  return doc.dump();
}

struct Malformed {
  std::string name;
  std::string input;
  std::string fragment;
};

std::vector<Malformed> malformed_cases() {
  std::string oversize = valid_document().dump();
  oversize.insert(oversize.size() - 1, ",\"pad\":\"" + std::string(kMaxTaskBytes, 'x') + "\"");
  return {
      // Not an object at all.
      {"not_json", "hello there", "not valid JSON"},
      {"empty_input", "", "not valid JSON"},
      {"truncated_json", valid_document().dump().substr(0, 40), "not valid JSON"},
      {"json_array", "[1,2,3]", "must be a JSON object"},
      {"json_string", "\"task.request\"", "must be a JSON object"},
      {"json_number", "42", "must be a JSON object"},
      {"json_null", "null", "must be a JSON object"},
      // Required fields.
      {"missing_id", without("id"), "missing required field 'id'"},
      {"missing_version", without("version"), "missing required field 'version'"},
      {"missing_type", without("type"), "missing required field 'type'"},
      {"missing_from", without("from"), "missing required field 'from'"},
      {"missing_timestamp", without("timestamp"), "missing required field 'timestamp'"},
      {"missing_payload", without("payload"), "missing required field 'payload'"},
      // Wrong types.
      {"id_number", with("id", 12345), "field 'id' must be a string"},
      {"version_number", with("version", 1.0), "field 'version' must be a string"},
      {"type_number", with("type", 7), "field 'type' must be a string"},
      {"from_bool", with("from", true), "field 'from' must be a string"},
      {"timestamp_number", with("timestamp", 1770562800), "field 'timestamp' must be a string"},
      {"ttl_string", with("ttl", "3600"), "field 'ttl' must be an integer"},
      {"ttl_float", with("ttl", 1.5), "field 'ttl' must be an integer"},
      {"priority_number", with("priority", 2), "field 'priority' must be a string"},
      {"payload_array", with("payload", json::array({1, 2})), "field 'payload' must be an object"},
      {"payload_string", with("payload", "do it"), "field 'payload' must be an object"},
      {"payload_null", with("payload", nullptr), "field 'payload' must be an object"},
      {"to_number", with("to", 3), "field 'to' must be a string"},
      {"fleet_array", with("fleet", json::array({"a"})), "field 'fleet' must be a string"},
      {"correlation_id_object", with("correlationId", json{{"id", "x"}}), "field 'correlationId' must be a string"},
      // Versions.
      {"version_2_0", with("version", "2.0"), "unsupported contract version '2.0'"},
      {"version_2_1", with("version", "2.1"), "unsupported contract version '2.1'"},
      {"version_0_9", with("version", "0.9"), "unsupported contract version '0.9'"},
      {"version_x", with("version", "x"), "field 'version' must look like '1.0'"},
      {"version_empty", with("version", ""), "field 'version' must look like '1.0'"},
      // Ids.
      {"id_not_hex", with("id", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6g"), "field 'id' must be a uuid v4"},
      {"id_too_short", with("id", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6"), "field 'id' must be a uuid v4"},
      {"id_too_long", with("id", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f0"), "field 'id' must be a uuid v4"},
      {"id_uuid_v1", with("id", "0b6c3f1e-8a7d-1c2b-9e5f-1a2b3c4d5e6f"), "field 'id' must be a uuid v4"},
      {"id_bad_variant", with("id", "0b6c3f1e-8a7d-4c2b-7e5f-1a2b3c4d5e6f"), "field 'id' must be a uuid v4"},
      {"id_no_dashes", with("id", "0b6c3f1e8a7d4c2b9e5f1a2b3c4d5e6f"), "field 'id' must be a uuid v4"},
      {"id_empty", with("id", ""), "field 'id' must be a uuid v4"},
      // Timestamps.
      {"timestamp_month_13", with("timestamp", "2026-13-01T00:00:00Z"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_word", with("timestamp", "yesterday"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_no_zone", with("timestamp", "2026-02-08T15:00:00"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_feb_30", with("timestamp", "2026-02-30T15:00:00Z"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_feb_29_non_leap", with("timestamp", "2026-02-29T15:00:00Z"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_hour_24", with("timestamp", "2026-02-08T24:00:00Z"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_space_separator", with("timestamp", "2026-02-08 15:00:00Z"), "field 'timestamp' must be RFC 3339"},
      {"timestamp_empty", with("timestamp", ""), "field 'timestamp' must be RFC 3339"},
      // ttl.
      {"ttl_negative", with("ttl", -1), "field 'ttl' must not be negative"},
      // Identifiers: from, to, fleet.
      {"from_dot", with("from", "tim.x"), "field 'from' value 'tim.x' is not an identifier"},
      {"from_star", with("from", "tim*"), "field 'from' value 'tim*' is not an identifier"},
      {"from_gt", with("from", "tim>"), "field 'from' value 'tim>' is not an identifier"},
      {"from_space", with("from", "tim x"), "field 'from' value 'tim x' is not an identifier"},
      {"from_upper", with("from", "Tim"), "field 'from' value 'Tim' is not an identifier"},
      {"from_empty", with("from", ""), "field 'from' value '' is not an identifier"},
      {"from_leading_dash", with("from", "-tim"), "field 'from' value '-tim' is not an identifier"},
      {"from_65_chars", with("from", std::string(65, 'a')), "field 'from' value 'aaaa"},
      {"to_dot", with("to", "gala.had"), "field 'to' value 'gala.had' is not an identifier"},
      {"to_star", with("to", "*"), "field 'to' value '*' is not an identifier"},
      {"to_gt", with("to", ">"), "field 'to' value '>' is not an identifier"},
      {"to_space", with("to", "gala had"), "field 'to' value 'gala had' is not an identifier"},
      {"to_upper", with("to", "Galahad"), "field 'to' value 'Galahad' is not an identifier"},
      {"to_empty", with("to", ""), "field 'to' value '' is not an identifier"},
      {"to_65_chars", with("to", std::string(65, 'b')), "field 'to' value 'bbbb"},
      {"fleet_dot", with("fleet", "fleet.a"), "field 'fleet' value 'fleet.a' is not an identifier"},
      {"fleet_star", with("fleet", "fleet-*"), "field 'fleet' value 'fleet-*' is not an identifier"},
      {"fleet_gt", with("fleet", "fleet>"), "field 'fleet' value 'fleet>' is not an identifier"},
      {"fleet_space", with("fleet", "fleet a"), "field 'fleet' value 'fleet a' is not an identifier"},
      {"fleet_upper", with("fleet", "FLEET-A"), "field 'fleet' value 'FLEET-A' is not an identifier"},
      {"fleet_empty", with("fleet", ""), "field 'fleet' value '' is not an identifier"},
      {"fleet_65_chars", with("fleet", std::string(65, 'c')), "field 'fleet' value 'cccc"},
      // Priority, type, correlation id.
      {"priority_unknown", with("priority", "urgent"), "field 'priority' must be low|normal|high|critical, got 'urgent'"},
      {"priority_upper", with("priority", "HIGH"), "got 'HIGH'"},
      {"type_with_space", with("type", "task request"), "field 'type' must be dotted identifiers"},
      {"type_empty", with("type", ""), "field 'type' must be dotted identifiers"},
      {"type_trailing_dot", with("type", "task."), "field 'type' must be dotted identifiers"},
      {"type_wildcard", with("type", "task.*"), "field 'type' must be dotted identifiers"},
      {"correlation_id_empty", with("correlationId", ""), "field 'correlationId' must be 1 to 128 characters"},
      {"correlation_id_too_long", with("correlationId", std::string(129, 'a')), "field 'correlationId' must be 1 to 128"},
      // Size.
      {"oversize", oversize, "over the limit of 1048576"},
  };
}

class MalformedEnvelope : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedEnvelope, IsRejectedNamingTheProblem) {
  const Malformed& c = GetParam();
  auto parsed = parse_envelope(c.input);
  ASSERT_FALSE(parsed.ok()) << c.name << ": accepted " << c.input.substr(0, 200);
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_params) << c.name;
  EXPECT_NE(parsed.error().message.find(c.fragment), std::string::npos)
      << c.name << ": message '" << parsed.error().message << "' lacks '" << c.fragment << "'";
  // Free text from the input is cut short, so a huge field cannot flood the logs.
  EXPECT_LT(parsed.error().message.size(), 400u) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedEnvelope, ::testing::ValuesIn(malformed_cases()),
                         [](const ::testing::TestParamInfo<Malformed>& info) { return info.param.name; });

TEST(EnvelopeTable, HasAtLeastThirtyDistinctCases) {
  auto cases = malformed_cases();
  EXPECT_GE(cases.size(), 30u);
  std::set<std::string> names, inputs;
  for (const auto& c : cases) {
    names.insert(c.name);
    inputs.insert(c.input);
  }
  EXPECT_EQ(names.size(), cases.size()) << "duplicate case names";
  EXPECT_EQ(inputs.size(), cases.size()) << "duplicate inputs";
}

TEST(Envelope, TheBaseDocumentOfTheTableIsValid) {
  auto parsed = parse_envelope(valid_document().dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(Envelope, Exactly64CharacterIdentifiersAreAccepted) {
  auto parsed = parse_envelope(with("from", std::string(64, 'a')));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->from, std::string(64, 'a'));
}

TEST(Envelope, MaxBytesIsAParameter) {
  std::string doc = valid_document().dump();
  EXPECT_TRUE(parse_envelope(doc, doc.size()).ok());
  auto parsed = parse_envelope(doc, doc.size() - 1);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("over the limit of " + std::to_string(doc.size() - 1)), std::string::npos);
  // A result may be up to 4 MiB.
  std::string big = valid_document().dump();
  big.insert(big.size() - 1, ",\"pad\":\"" + std::string(2 * kMaxTaskBytes, 'x') + "\"");
  EXPECT_FALSE(parse_envelope(big).ok());
  EXPECT_TRUE(parse_envelope(big, kMaxResultBytes).ok());
}

TEST(Envelope, OptionalFieldsDefault) {
  json doc = valid_document();
  for (const char* field : {"to", "fleet", "correlationId", "priority", "ttl"}) doc.erase(field);
  auto parsed = parse_envelope(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->priority, Priority::normal);
  EXPECT_EQ(parsed->ttl_seconds, 3600);
  EXPECT_EQ(parsed->ttl_seconds, kDefaultTtlSeconds);
  EXPECT_FALSE(parsed->to.has_value());
  EXPECT_FALSE(parsed->fleet.has_value());
  EXPECT_FALSE(parsed->correlation_id.has_value());
  EXPECT_TRUE(parsed->unknown_fields.empty());
}

TEST(Envelope, NullOptionalFieldsCountAsAbsent) {
  json doc = valid_document();
  for (const char* field : {"to", "fleet", "correlationId", "priority", "ttl"}) doc[field] = nullptr;
  auto parsed = parse_envelope(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->priority, Priority::normal);
  EXPECT_EQ(parsed->ttl_seconds, 3600);
  EXPECT_FALSE(parsed->to.has_value());
}

TEST(Envelope, EveryPriorityParses) {
  for (auto [name, priority] : std::vector<std::pair<std::string, Priority>>{
           {"low", Priority::low}, {"normal", Priority::normal}, {"high", Priority::high}, {"critical", Priority::critical}}) {
    auto parsed = parse_envelope(with("priority", name));
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(parsed->priority, priority);
    EXPECT_EQ(priority_name(priority), name);
    EXPECT_EQ(parse_priority(name), priority);
  }
  EXPECT_FALSE(parse_priority("urgent").has_value());
  EXPECT_FALSE(parse_priority("").has_value());
}

TEST(Envelope, MinorVersionsOfOneAreAccepted) {
  for (const char* version : {"1.0", "1.1", "1.7", "1"}) {
    auto parsed = parse_envelope(with("version", version));
    ASSERT_TRUE(parsed.ok()) << version << ": " << parsed.error().message;
    EXPECT_EQ(parsed->version, version);
  }
}

TEST(Envelope, TimestampsWithOffsetsAndFractionsAreAccepted) {
  for (const char* ts : {"2026-02-08T15:00:00.123Z", "2026-02-08T16:00:00+01:00", "2026-02-08T10:00:00-05:00",
                         "2028-02-29T00:00:00Z"}) {
    auto parsed = parse_envelope(with("timestamp", ts));
    ASSERT_TRUE(parsed.ok()) << ts << ": " << parsed.error().message;
    EXPECT_EQ(parsed->timestamp, ts) << "kept as sent";
  }
}

TEST(Envelope, RoundTripKeepsEveryFieldAndUnknownFields) {
  json doc = valid_document();
  doc["traceparent"] = "00-abc-def-01";
  doc["x-extra"] = json{{"nested", json::array({1, "two", nullptr})}};
  auto first = parse_envelope(doc.dump());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->unknown_fields.size(), 2u);
  EXPECT_EQ(first->unknown_fields["traceparent"], "00-abc-def-01");

  std::string bytes = serialize(*first);
  auto second = parse_envelope(bytes);
  ASSERT_TRUE(second.ok()) << second.error().message;
  const Envelope& e = *second;
  EXPECT_EQ(e.id, kId);
  EXPECT_EQ(e.version, "1.0");
  EXPECT_EQ(e.type, "task.request");
  EXPECT_EQ(e.from, "tim");
  EXPECT_EQ(e.to, std::optional<std::string>("galahad"));
  EXPECT_EQ(e.fleet, std::optional<std::string>("fleet-a"));
  EXPECT_EQ(e.timestamp, "2026-02-08T15:00:00Z");
  EXPECT_EQ(e.correlation_id, std::optional<std::string>("9d2b7a1c-3e4f-4a5b-8c6d-7e8f9a0b1c2d"));
  EXPECT_EQ(e.priority, Priority::high);
  EXPECT_EQ(e.ttl_seconds, 120);
  EXPECT_EQ(e.payload, json({{"task", "security.briefing"}}));
  EXPECT_EQ(e.unknown_fields, first->unknown_fields);
  // The serialized JSON is the input document, field for field.
  EXPECT_EQ(json::parse(bytes), doc);
  EXPECT_EQ(envelope_to_json(e), doc);
}

TEST(Envelope, EnvelopeFromJsonMatchesParse) {
  auto parsed = envelope_from_json(valid_document());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->from, "tim");
  EXPECT_FALSE(envelope_from_json(json::array()).ok());
}

TEST(Envelope, UnknownFieldsCannotOverrideKnownOnesOnSerialize) {
  Envelope e = make_envelope("task.request", "tim", json::object(), std::chrono::system_clock::now());
  e.unknown_fields = json{{"from", "mallory"}, {"extra", 1}};
  json out = envelope_to_json(e);
  EXPECT_EQ(out["from"], "tim");
  EXPECT_EQ(out["extra"], 1);
}

SystemTime at(const char* text) { return *parse_rfc3339(text); }

TEST(Envelope, Expiry) {
  Envelope e;
  e.timestamp = "2026-02-08T15:00:00Z";
  e.ttl_seconds = 60;
  ASSERT_TRUE(e.expires_at().has_value());
  EXPECT_EQ(*e.expires_at(), at("2026-02-08T15:01:00Z"));
  EXPECT_FALSE(e.expired(at("2026-02-08T15:00:30Z")));
  EXPECT_FALSE(e.expired(at("2026-02-08T15:01:00Z"))) << "the deadline itself is still in time";
  EXPECT_TRUE(e.expired(at("2026-02-08T15:01:01Z")));
  EXPECT_TRUE(e.expired(at("2027-01-01T00:00:00Z")));

  e.ttl_seconds = 0;  // never expires
  EXPECT_FALSE(e.expires_at().has_value());
  EXPECT_FALSE(e.expired(at("2100-01-01T00:00:00Z")));

  // The offset of the sender counts.
  e.timestamp = "2026-02-08T16:00:00+01:00";
  e.ttl_seconds = 60;
  EXPECT_EQ(*e.expires_at(), at("2026-02-08T15:01:00Z"));
}

TEST(Envelope, MakeEnvelopeIsValid) {
  auto now = at("2026-02-08T15:00:00.750Z");
  Envelope e = make_envelope("task.request", "tim", json{{"task", "security.briefing"}}, now);
  EXPECT_TRUE(is_uuid_v4(e.id)) << e.id;
  EXPECT_EQ(e.version, "1.0");
  EXPECT_EQ(e.version, kContractVersion);
  EXPECT_EQ(e.type, "task.request");
  EXPECT_EQ(e.from, "tim");
  EXPECT_EQ(e.timestamp, "2026-02-08T15:00:00Z");
  ASSERT_TRUE(parse_rfc3339(e.timestamp).has_value());
  EXPECT_EQ(e.priority, Priority::normal);
  EXPECT_EQ(e.ttl_seconds, 3600);
  EXPECT_FALSE(e.expired(now));
  auto parsed = parse_envelope(serialize(e));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->id, e.id);

  Envelope other = make_envelope("task.request", "tim", json::object(), now);
  EXPECT_NE(other.id, e.id);
}

TEST(Envelope, ReadableId) {
  EXPECT_EQ(readable_id(valid_document().dump()), std::optional<std::string>(kId));
  // Readable even when the envelope is otherwise invalid.
  EXPECT_EQ(readable_id(with("version", "2.0")), std::optional<std::string>(kId));
  EXPECT_EQ(readable_id(without("payload")), std::optional<std::string>(kId));
  EXPECT_FALSE(readable_id("not json").has_value());
  EXPECT_FALSE(readable_id("[]").has_value());
  EXPECT_FALSE(readable_id(without("id")).has_value());
  EXPECT_FALSE(readable_id(with("id", 5)).has_value());
  EXPECT_FALSE(readable_id(with("id", "../../etc/passwd")).has_value()) << "only a uuid is trusted as an id";
  const std::string head = std::string(R"({"id":")") + kId + R"(","payload":{"params":{"x":")";
  EXPECT_EQ(readable_id(head + "\xff\xfe\"}}}"), std::optional<std::string>(kId)) << "invalid UTF-8 after the id";
  EXPECT_EQ(readable_id(head + "cut off"), std::optional<std::string>(kId)) << "a document cut after the id";
  EXPECT_FALSE(readable_id(R"({"payload":{"id":")" + std::string(kId) + R"("}} garbage)").has_value()) << "only a top-level id";
}

}  // namespace
}  // namespace rt::contract

namespace rt::contract {
namespace {

// serialize() writes the envelope without building its tree: the bytes must stay exactly those
// of dumping envelope_to_json, unknown fields, optional fields and invalid UTF-8 included.
TEST(EnvelopeSerialize, WritesTheBytesOfTheTree) {
  auto plain = make_envelope("task.result", "galahad", {{"result", {{"content", "ok"}}}}, std::chrono::system_clock::now());
  Envelope full = plain;
  full.to = "lead";
  full.fleet = "fleet-a";
  full.correlation_id = "task-1";
  full.priority = Priority::critical;
  full.unknown_fields = {{"trace", {{"traceparent", "00-aa-bb-01"}}}, {"aaa", 1}, {"zzz", nullptr}, {"parentTaskId", "p"}};
  Envelope shadowed = plain;
  shadowed.unknown_fields = {{"to", "kept: no known 'to'"}, {"id", "dropped: the known id wins"}};
  Envelope hostile = plain;
  hostile.payload = {{"text", std::string("bad \xff utf-8 \"quoted\" \n")}, {"nested", {{"b", 2}, {"a", {1, 2.5, true}}}}};
  hostile.from = std::string("x\xc3");
  hostile.unknown_fields = {{"cl\xc3\xa9", "\x01\x1f"}, {"quo\"te", -7}, {"bad\xfe", {1, 2}}};
  hostile.ttl_seconds = -1;
  for (const auto* envelope : {&plain, &full, &shadowed, &hostile})
    EXPECT_EQ(serialize(*envelope), envelope_to_json(*envelope).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace
}  // namespace rt::contract
