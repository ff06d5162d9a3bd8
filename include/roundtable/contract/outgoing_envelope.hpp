#pragma once
// docs/contract.md §4: an envelope the bridge sends (an event or a result), written as text in one
// pass around a payload it has already written: the same bytes serialize() writes for the same
// Envelope, without building the envelope's or the payload's tree.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/contract/envelope.hpp"

namespace rt::contract {

// The payload's JSON text, written by its producer (to_json_text, a small writer).
struct JsonText {
  std::string text;
};

struct OutgoingHead {
  std::string_view id;
  std::string_view type;
  std::string_view from;
  std::string_view timestamp;
  const std::string* fleet = nullptr;
  const std::string* to = nullptr;
  const std::string* correlation_id = nullptr;
  Priority priority = Priority::normal;
  int64_t ttl_seconds = kDefaultTtlSeconds;
  const nlohmann::json* trace = nullptr;           // envelope field `trace`, when an object
  const std::string* parent_task_id = nullptr;     // envelope field `parentTaskId`
};

// `payload_json` must be one JSON value (it is copied as it is).
std::string serialize_outgoing(const OutgoingHead& head, std::string_view payload_json);

}  // namespace rt::contract
