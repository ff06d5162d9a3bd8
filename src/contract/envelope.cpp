#include "roundtable/contract/envelope.hpp"

#include <algorithm>
#include <array>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/json_text.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 11> kKnownFields{"id",       "version", "type",          "from",
                                                         "to",       "fleet",   "timestamp",     "correlationId",
                                                         "priority", "ttl",     "payload"};
constexpr size_t kMaxFreeTextId = 128;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_params, std::move(message)); }

// The field's string, moved out of the document (which is the caller's to discard).
Result<std::string> required_string(json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end()) return invalid(std::string("missing required field '") + field + "'");
  if (!it->is_string()) return invalid(std::string("field '") + field + "' must be a string");
  return std::move(it->get_ref<std::string&>());
}

Result<std::optional<std::string>> optional_string(json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return invalid(std::string("field '") + field + "' must be a string");
  return std::optional<std::string>{std::move(it->get_ref<std::string&>())};
}

Status check_version(const std::string& version) {
  auto dot = version.find('.');
  std::string major = version.substr(0, dot);
  if (major.empty() || major.find_first_not_of("0123456789") != std::string::npos)
    return invalid("field 'version' must look like '1.0', got '" + excerpt(version, kMaxFreeTextId) + "'");
  if (major != "1")
    return invalid("unsupported contract version '" + excerpt(version, kMaxFreeTextId) + "' (this side speaks major version 1)");
  return {};
}

Status check_identifier_field(const char* field, const std::optional<std::string>& value) {
  if (value && !is_identifier(*value))
    return invalid(std::string("field '") + field + "' value '" + excerpt(*value, kMaxFreeTextId) +
                   "' is not an identifier ([a-z0-9][a-z0-9-]*)");
  return {};
}

Result<int64_t> parse_ttl(const json& doc) {
  auto it = doc.find("ttl");
  if (it == doc.end() || it->is_null()) return kDefaultTtlSeconds;
  if (!it->is_number_integer()) return invalid("field 'ttl' must be an integer number of seconds");
  // An unsigned ttl beyond int64 means "practically never" (expires_at saturates), not negative.
  int64_t ttl = *clamped_integer(*it, INT64_MIN, INT64_MAX);
  if (ttl < 0) return invalid("field 'ttl' must not be negative, got " + std::to_string(ttl));
  return ttl;
}

Result<Priority> parse_priority_field(const json& doc) {
  auto it = doc.find("priority");
  if (it == doc.end() || it->is_null()) return Priority::normal;
  if (!it->is_string()) return invalid("field 'priority' must be a string");
  auto parsed = parse_priority(it->get<std::string>());
  if (!parsed) return invalid("field 'priority' must be low|normal|high|critical, got '" + excerpt(it->get<std::string>(), kMaxFreeTextId) + "'");
  return *parsed;
}

}  // namespace

std::string_view priority_name(Priority priority) {
  switch (priority) {
    case Priority::low: return "low";
    case Priority::high: return "high";
    case Priority::critical: return "critical";
    default: return "normal";
  }
}

std::optional<Priority> parse_priority(std::string_view name) {
  if (name == "low") return Priority::low;
  if (name == "normal") return Priority::normal;
  if (name == "high") return Priority::high;
  if (name == "critical") return Priority::critical;
  return std::nullopt;
}

std::optional<SystemTime> Envelope::expires_at() const {
  if (ttl_seconds == 0) return std::nullopt;
  auto sent = parse_rfc3339(timestamp);
  if (!sent) return std::nullopt;
  // A ttl beyond what the clock can count means "never" in practice; never wrap around into the past.
  // (In seconds, about 9e9 either way, so the subtraction itself cannot overflow.)
  auto max_seconds = std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count();
  auto sent_seconds = std::chrono::duration_cast<std::chrono::seconds>(sent->time_since_epoch()).count();
  if (ttl_seconds >= max_seconds - sent_seconds) return SystemTime::max();
  return *sent + std::chrono::seconds(ttl_seconds);
}

bool Envelope::expired(SystemTime now) const {
  auto deadline = expires_at();
  return deadline && now > *deadline;
}

Envelope make_envelope(std::string type, std::string from, nlohmann::json payload, SystemTime now) {
  Envelope envelope;
  envelope.id = make_uuid_v4();
  envelope.type = std::move(type);
  envelope.from = std::move(from);
  envelope.timestamp = format_rfc3339(now);
  envelope.payload = std::move(payload);
  return envelope;
}

Result<Envelope> envelope_from_json(json doc) {
  if (!doc.is_object()) return invalid("message must be a JSON object");
  Envelope envelope;
  auto id = required_string(doc, "id");
  if (!id) return id.error();
  if (!is_uuid_v4(*id)) return invalid("field 'id' must be a uuid v4, got '" + excerpt(*id, kMaxFreeTextId) + "'");
  envelope.id = std::move(*id);

  auto version = required_string(doc, "version");
  if (!version) return version.error();
  if (auto status = check_version(*version); !status) return status.error();
  envelope.version = std::move(*version);

  auto type = required_string(doc, "type");
  if (!type) return type.error();
  if (!is_event_type(*type)) return invalid("field 'type' must be dotted identifiers like 'task.request', got '" + excerpt(*type, kMaxFreeTextId) + "'");
  envelope.type = std::move(*type);

  auto from = required_string(doc, "from");
  if (!from) return from.error();
  if (!is_identifier(*from)) return invalid("field 'from' value '" + excerpt(*from, kMaxFreeTextId) + "' is not an identifier ([a-z0-9][a-z0-9-]*)");
  envelope.from = std::move(*from);

  auto timestamp = required_string(doc, "timestamp");
  if (!timestamp) return timestamp.error();
  if (!parse_rfc3339(*timestamp)) return invalid("field 'timestamp' must be RFC 3339 (e.g. 2026-02-08T15:00:00Z), got '" + excerpt(*timestamp, kMaxFreeTextId) + "'");
  envelope.timestamp = std::move(*timestamp);

  auto payload = doc.find("payload");
  if (payload == doc.end()) return invalid("missing required field 'payload'");
  if (!payload->is_object()) return invalid("field 'payload' must be an object");
  envelope.payload = std::move(*payload);

  for (const char* field : {"to", "fleet", "correlationId"}) {
    auto value = optional_string(doc, field);
    if (!value) return value.error();
    if (std::string_view(field) != "correlationId") {
      if (auto status = check_identifier_field(field, *value); !status) return status.error();
    } else if (*value && (value->value().empty() || value->value().size() > kMaxFreeTextId)) {
      return invalid("field 'correlationId' must be 1 to 128 characters");
    }
    if (std::string_view(field) == "to") envelope.to = std::move(*value);
    else if (std::string_view(field) == "fleet") envelope.fleet = std::move(*value);
    else envelope.correlation_id = std::move(*value);
  }

  auto priority = parse_priority_field(doc);
  if (!priority) return priority.error();
  envelope.priority = *priority;

  auto ttl = parse_ttl(doc);
  if (!ttl) return ttl.error();
  envelope.ttl_seconds = *ttl;

  for (auto& [key, value] : doc.items())
    if (std::find(kKnownFields.begin(), kKnownFields.end(), key) == kKnownFields.end()) envelope.unknown_fields[key] = std::move(value);
  return envelope;
}

Result<Envelope> parse_envelope(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes)
    return invalid("message is " + std::to_string(bytes.size()) + " bytes, over the limit of " + std::to_string(max_bytes));
  // Bounded before any tree exists: copying or destroying a payload nested 200,000 deep would
  // overflow the stack (and a message that crashes the bridge is redelivered to every replica).
  auto doc = parse_json_bounded(bytes, {.max_depth = kMaxJsonDepth, .max_bytes = max_bytes});
  if (!doc) return invalid("message is not valid JSON: " + doc.error().message);
  return envelope_from_json(std::move(*doc));
}

json envelope_to_json(const Envelope& envelope) {
  json doc = envelope.unknown_fields.is_object() ? envelope.unknown_fields : json::object();
  doc["id"] = envelope.id;
  doc["version"] = envelope.version;
  doc["type"] = envelope.type;
  doc["from"] = envelope.from;
  if (envelope.to) doc["to"] = *envelope.to;
  if (envelope.fleet) doc["fleet"] = *envelope.fleet;
  doc["timestamp"] = envelope.timestamp;
  if (envelope.correlation_id) doc["correlationId"] = *envelope.correlation_id;
  doc["priority"] = std::string(priority_name(envelope.priority));
  doc["ttl"] = envelope.ttl_seconds;
  doc["payload"] = envelope.payload;
  return doc;
}

// The bytes of envelope_to_json(envelope).dump(), written without copying the payload into a new
// tree (it is serialised in place): two envelopes go out per task, and the copy and its
// map inserts were most of their cost. Members in std::map order, as nlohmann writes them.
// Written straight into one string, members sorted by name as a tree would dump them: the
// envelope of every result and event, so no tree and no copy of the payload's text.
std::string serialize(const Envelope& envelope) {
  struct Member {
    std::string_view key;
    const std::string* text = nullptr;
    const json* value = nullptr;
    int64_t number = 0;
  };
  const std::string priority(priority_name(envelope.priority));
  std::vector<Member> members;
  members.reserve(12 + (envelope.unknown_fields.is_object() ? envelope.unknown_fields.size() : 0));
  auto add_text = [&members](std::string_view key, const std::string& text) { members.push_back({key, &text}); };
  add_text("id", envelope.id);
  add_text("version", envelope.version);
  add_text("type", envelope.type);
  add_text("from", envelope.from);
  if (envelope.to) add_text("to", *envelope.to);
  if (envelope.fleet) add_text("fleet", *envelope.fleet);
  add_text("timestamp", envelope.timestamp);
  if (envelope.correlation_id) add_text("correlationId", *envelope.correlation_id);
  add_text("priority", priority);
  members.push_back({"ttl", nullptr, nullptr, envelope.ttl_seconds});
  members.push_back({"payload", nullptr, &envelope.payload});
  if (envelope.unknown_fields.is_object()) {
    const size_t known = members.size();
    for (auto field = envelope.unknown_fields.begin(); field != envelope.unknown_fields.end(); ++field) {
      const std::string& key = field.key();  // a reference into the object, like &*field
      bool overridden = std::any_of(members.begin(), members.begin() + static_cast<long>(known),
                                    [&key](const Member& member) { return member.key == key; });
      if (!overridden) members.push_back({key, nullptr, &*field});
    }
  }
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
  std::string out;
  out.reserve(256);
  JsonObjectWriter writer(out);
  for (const Member& member : members) {
    if (member.text) writer.string(member.key, *member.text);
    else if (member.value) writer.value(member.key, *member.value);
    else writer.integer(member.key, member.number);
  }
  writer.close();
  return out;
}

namespace {

// Reads the top-level "id" of a document of any depth without building a tree (nlohmann's SAX
// parser keeps its own stack on the heap), so a task refused for its nesting can still be
// answered with task.failed under its id.
class TopLevelId final : public nlohmann::json_sax<json> {
 public:
  std::optional<std::string> id;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool string(string_t& text) override {
    if (depth_ == 1 && top_is_object_ && key_is_id_ && !id) id = text;
    return value();
  }
  bool start_object(std::size_t) override {
    if (depth_ == 0) top_is_object_ = true;
    ++depth_;
    return true;
  }
  bool key(string_t& name) override {
    key_is_id_ = depth_ == 1 && name == "id";
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool value() {
    if (depth_ == 1) key_is_id_ = false;
    return true;
  }
  bool close() {
    --depth_;
    return value();
  }
  size_t depth_ = 0;
  bool top_is_object_ = false;
  bool key_is_id_ = false;
};

}  // namespace

std::optional<std::string> readable_id(std::string_view bytes) {
  if (bytes.size() > kMaxResultBytes) return std::nullopt;
  TopLevelId reader;
  // What breaks the document after its id (invalid UTF-8, a cut) does not unread the id: the
  // task is still answered under it rather than left to its requester's timeout.
  json::sax_parse(bytes.begin(), bytes.end(), &reader);
  if (!reader.id || !is_uuid_v4(*reader.id)) return std::nullopt;
  return reader.id;
}

}  // namespace rt::contract
