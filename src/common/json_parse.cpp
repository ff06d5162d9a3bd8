#include "roundtable/common/json_parse.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "roundtable/common/json_scan.hpp"

namespace rt {
namespace {

// Deepest nesting of [ and { outside string literals, stopping early once above `limit`.
size_t nesting_depth(std::string_view text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character can be neither a quote nor a bracket
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

template <typename Json>
Result<Json> parse_bounded(std::string_view text, JsonLimits limits) {
  if (auto bounds = check_json_bounds(text, limits); !bounds) return bounds.error();
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error(ErrorCode::invalid_params, "not valid JSON");
  return doc;
}

}  // namespace

Status check_json_bounds(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::invalid_params, "JSON larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (nesting_depth(text, limits.max_depth) > limits.max_depth) {
    return make_error(ErrorCode::invalid_params,
                      "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
  }
  return {};
}

// Ordinary JSON within the bounds is read by hand (json_scan.hpp); the rest is judged by nlohmann.
Result<nlohmann::json> parse_json_bounded(std::string_view text, JsonLimits limits) {
  if (text.size() <= limits.max_bytes)
    if (auto tree = scan_ordinary_json(text, limits.max_depth)) return std::move(*tree);
  return parse_bounded<nlohmann::json>(text, limits);
}

Result<nlohmann::ordered_json> parse_ordered_json_bounded(std::string_view text, JsonLimits limits) {
  return parse_bounded<nlohmann::ordered_json>(text, limits);
}

std::optional<int64_t> clamped_integer(const nlohmann::json& value, int64_t lo, int64_t hi) {
  if (value.is_number_unsigned()) {
    auto number = value.get<uint64_t>();
    if (hi < 0 || number > static_cast<uint64_t>(hi)) return hi;
    return std::max(lo, static_cast<int64_t>(number));
  }
  if (value.is_number_integer()) return std::clamp(value.get<int64_t>(), lo, hi);
  if (!value.is_number_float()) return std::nullopt;
  double number = value.get<double>();
  if (std::isnan(number)) return std::nullopt;
  // Compare as doubles first: converting an out-of-range double to an integer is undefined.
  if (number <= static_cast<double>(lo)) return lo;
  if (number >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(number);
}

}  // namespace rt
