#pragma once
// The one way to parse JSON that came from outside the process (bus, HTTP, LLM, files).
//
// nlohmann's copy, dump and comparison recurse once per nesting level, so a document nested
// 100,000 deep overflows the stack long after it was parsed. parse_json_bounded refuses such
// input before any tree is built: a linear pre-scan (string- and escape-aware) counts the
// nesting depth, then nlohmann parses without exceptions.
//
//   auto doc = rt::parse_json_bounded(bytes);            // depth <= 128, size <= 16 MiB
//   if (!doc) return doc.error();                        // ErrorCode::invalid_params
//   const nlohmann::json& value = *doc;
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"

namespace rt {

inline constexpr size_t kJsonMaxDepth = 128;
inline constexpr size_t kJsonMaxBytes = size_t{16} << 20;

struct JsonLimits {
  size_t max_depth = kJsonMaxDepth;  // arrays and objects open at once; a scalar is depth 0
  size_t max_bytes = kJsonMaxBytes;
};

// Ok when `text` is no larger than max_bytes and nests no deeper than max_depth.
// Does not check that the text is valid JSON. Error: invalid_params, with the reason.
Status check_json_bounds(std::string_view text, JsonLimits limits = {});

// Parses untrusted JSON. Error (invalid_params): too large, too deep, or not JSON.
Result<nlohmann::json> parse_json_bounded(std::string_view text, JsonLimits limits = {});
// The same, keeping the object keys in document order.
Result<nlohmann::ordered_json> parse_ordered_json_bounded(std::string_view text, JsonLimits limits = {});

// A number from untrusted JSON as an integer clamped to [lo, hi], fractions truncated toward
// zero; nullopt when `value` is not a number. Defined for every magnitude (1e300, 2^64-1).
std::optional<int64_t> clamped_integer(const nlohmann::json& value, int64_t lo, int64_t hi);

}  // namespace rt
