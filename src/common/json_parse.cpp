#include "roundtable/common/json_parse.hpp"

#include <string>

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

Result<nlohmann::json> parse_json_bounded(std::string_view text, JsonLimits limits) {
  return parse_bounded<nlohmann::json>(text, limits);
}

Result<nlohmann::ordered_json> parse_ordered_json_bounded(std::string_view text, JsonLimits limits) {
  return parse_bounded<nlohmann::ordered_json>(text, limits);
}

}  // namespace rt
