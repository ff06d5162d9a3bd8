#include "roundtable/contract/outgoing_envelope.hpp"

#include "roundtable/common/json_text.hpp"

namespace rt::contract {
namespace {

class MemberWriter {
 public:
  explicit MemberWriter(std::string& out) : out_(out) {}
  void text(std::string_view key, std::string_view value) {
    name(key);
    append_json_string(out_, value);
  }
  void text(std::string_view key, const std::string* value) {
    if (value) text(key, std::string_view(*value));
  }
  void raw(std::string_view key, std::string_view json) {
    name(key);
    out_ += json;
  }
  void value(std::string_view key, const nlohmann::json& json) {
    name(key);
    append_json_value(out_, json);
  }
  void integer(std::string_view key, int64_t number) {
    name(key);
    append_json_integer(out_, number);
  }

 private:
  void name(std::string_view key) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    append_json_string(out_, key);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

// The members in the order serialize() sorts them into (byte order of their names).
std::string serialize_outgoing(const OutgoingHead& head, std::string_view payload_json) {
  std::string out;
  out.reserve(256 + payload_json.size());
  MemberWriter members(out);
  members.text("correlationId", head.correlation_id);
  members.text("fleet", head.fleet);
  members.text("from", head.from);
  members.text("id", head.id);
  members.text("parentTaskId", head.parent_task_id);
  members.raw("payload", payload_json);
  members.text("priority", priority_name(head.priority));
  members.text("timestamp", head.timestamp);
  members.text("to", head.to);
  if (head.trace && head.trace->is_object()) members.value("trace", *head.trace);
  members.integer("ttl", head.ttl_seconds);
  members.text("type", head.type);
  members.text("version", kContractVersion);
  out += '}';
  return out;
}

}  // namespace rt::contract
