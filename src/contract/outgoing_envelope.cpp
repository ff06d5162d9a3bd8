#include "roundtable/contract/outgoing_envelope.hpp"

#include "roundtable/common/json_text.hpp"

namespace rt::contract {
namespace {

void optional_string(JsonObjectWriter& members, std::string_view key, const std::string* value) {
  if (value) members.string(key, *value);
}

}  // namespace

// The members in the order serialize() sorts them into (byte order of their names).
std::string serialize_outgoing(const OutgoingHead& head, std::string_view payload_json) {
  std::string out;
  out.reserve(256 + payload_json.size());
  JsonObjectWriter members(out);
  optional_string(members, "correlationId", head.correlation_id);
  optional_string(members, "fleet", head.fleet);
  members.string("from", head.from);
  members.string("id", head.id);
  optional_string(members, "parentTaskId", head.parent_task_id);
  members.raw("payload", payload_json);
  members.string("priority", priority_name(head.priority));
  members.string("timestamp", head.timestamp);
  optional_string(members, "to", head.to);
  if (head.trace && head.trace->is_object()) members.value("trace", *head.trace);
  members.integer("ttl", head.ttl_seconds);
  members.string("type", head.type);
  members.string("version", kContractVersion);
  members.close();
  return out;
}

}  // namespace rt::contract
