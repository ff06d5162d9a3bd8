// serialize_outgoing and to_json_text write what serialize() and to_json() write, without a tree.
#include "roundtable/contract/outgoing_envelope.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "roundtable/common/json_text.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

std::string text_of(const json& value) {
  std::string out;
  append_json_value(out, value);
  return out;
}

// The envelope the Outbox built before: make_envelope's fields, then the task's, through serialize().
std::string through_serialize(const OutgoingHead& head, const json& payload) {
  Envelope envelope;
  envelope.id = std::string(head.id);
  envelope.type = std::string(head.type);
  envelope.from = std::string(head.from);
  envelope.timestamp = std::string(head.timestamp);
  envelope.payload = payload;
  envelope.priority = head.priority;
  envelope.ttl_seconds = head.ttl_seconds;
  if (head.fleet) envelope.fleet = *head.fleet;
  if (head.to) envelope.to = *head.to;
  if (head.correlation_id) envelope.correlation_id = *head.correlation_id;
  if (head.trace && head.trace->is_object()) envelope.unknown_fields["trace"] = *head.trace;
  if (head.parent_task_id) envelope.unknown_fields["parentTaskId"] = *head.parent_task_id;
  return serialize(envelope);
}

TEST(OutgoingEnvelope, WritesTheBytesSerializeWritesForEveryCombinationOfFields) {
  const std::string fleet = "fleet-a", to = "lead", task_id = "0b5d8f51-4f4e-4a43-9d0e-3c1d2b9a7e61", parent = "caller \"1\"\xff";
  const json trace = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}, {"tracestate", "a=b"}};
  const json not_an_object = "ignored";
  const json payloads[] = {json::object(), {{"agent", "galahad"}, {"attempt", 2}, {"message", "é\n\u0001"}}, json::array({1, nullptr, true})};
  for (int mask = 0; mask < 32; ++mask) {
    for (const json& payload : payloads) {
      OutgoingHead head{.id = "8e2c7f0a-1b2c-4d3e-8f90-a1b2c3d4e5f6", .type = "task.claimed", .from = "galahad",
                        .timestamp = "2026-11-30T17:00:00Z"};
      if (mask & 1) head.fleet = &fleet;
      if (mask & 2) head.to = &to;
      if (mask & 4) head.correlation_id = &task_id;
      if (mask & 8) head.trace = (mask & 16) ? &trace : &not_an_object;
      if (mask & 16) head.parent_task_id = &parent;
      if (mask & 1) head.priority = Priority::critical, head.ttl_seconds = 0;
      EXPECT_EQ(serialize_outgoing(head, text_of(payload)), through_serialize(head, payload)) << "fields " << mask;
    }
  }
}

TEST(OutgoingEnvelope, TheOutputIsAnEnvelopeThatParses) {
  const std::string fleet = "fleet-a";
  OutgoingHead head{.id = "8e2c7f0a-1b2c-4d3e-8f90-a1b2c3d4e5f6", .type = "task.result", .from = "galahad",
                    .timestamp = "2026-11-30T17:00:00Z", .fleet = &fleet};
  auto parsed = parse_envelope(serialize_outgoing(head, R"({"status":"completed"})"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->payload, json({{"status", "completed"}}));
  EXPECT_EQ(parsed->fleet, fleet);
}

TEST(TaskResultText, IsWhatToJsonWritesWithExtraMetadataAroundAndOverTheKnownFields) {
  TaskResult result;
  result.content = "line\n\"quoted\" \xe2\x82\xac \xc3";  // ends in a cut UTF-8 sequence
  result.format = "json";
  result.metadata.model = "claude";
  result.metadata.input_tokens = 12;
  result.metadata.output_tokens = 1'000'000'000'000;
  result.metadata.cache_read_tokens = 3;
  result.metadata.duration_ms = 45;
  result.metadata.attempt = 2;
  EXPECT_EQ(to_json_text(result), text_of(to_json(result)));

  result.metadata.extra = {{"a", 1},        {"attempt", "replaced"}, {"b", {{"nested", json::array({1, 2})}}},
                           {"model", false}, {"n", nullptr},          {"zz", "last"},
                           {"cost", 0.25}};
  EXPECT_EQ(to_json_text(result), text_of(to_json(result)));

  result.metadata.extra = json::array();  // not an object: dropped, as to_json drops it
  EXPECT_EQ(to_json_text(result), text_of(to_json(result)));
}

}  // namespace
}  // namespace rt::contract
