#pragma once
// docs/contract.md §4: the envelope carried by every JSON message on the bus.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/common/time.hpp"

namespace rt::contract {

inline constexpr std::string_view kContractVersion = "1.0";
inline constexpr size_t kMaxTaskBytes = 1 << 20;     // ROUNDTABLE_TASKS max msg
inline constexpr size_t kMaxResultBytes = 4 << 20;   // ROUNDTABLE_RESULTS max msg
inline constexpr int64_t kDefaultTtlSeconds = 3600;
// Deepest nesting of arrays and objects accepted in any message; deeper input is invalid_params.
inline constexpr size_t kMaxJsonDepth = 128;

enum class Priority { low = 0, normal = 1, high = 2, critical = 3 };
std::string_view priority_name(Priority priority);
std::optional<Priority> parse_priority(std::string_view name);

struct Envelope {
  std::string id;
  std::string version{kContractVersion};
  std::string type;
  std::string from;
  std::optional<std::string> to;
  std::optional<std::string> fleet;
  std::string timestamp;  // RFC 3339 as sent
  std::optional<std::string> correlation_id;
  Priority priority = Priority::normal;
  int64_t ttl_seconds = kDefaultTtlSeconds;  // 0: never expires
  nlohmann::json payload = nlohmann::json::object();
  nlohmann::json unknown_fields = nlohmann::json::object();  // kept and sent back out unchanged

  // timestamp + ttl; nullopt when ttl is 0.
  std::optional<SystemTime> expires_at() const;
  bool expired(SystemTime now) const;
};

// A fresh envelope: uuid v4 id, version 1.0, timestamp now (UTC).
Envelope make_envelope(std::string type, std::string from, nlohmann::json payload, SystemTime now);

// Parses and validates; the error message names the field and what was wrong. Input nested
// deeper than kMaxJsonDepth or larger than max_bytes is refused before it is parsed.
Result<Envelope> parse_envelope(std::string_view bytes, size_t max_bytes = kMaxTaskBytes);
Result<Envelope> envelope_from_json(nlohmann::json document);
nlohmann::json envelope_to_json(const Envelope& envelope);
std::string serialize(const Envelope& envelope);

// The id of a message that failed validation, when it can still be read (a string "id").
std::optional<std::string> readable_id(std::string_view bytes);

}  // namespace rt::contract
