#include "roundtable/config/yaml_json.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "roundtable/config/settings.hpp"

namespace rt::config {
namespace {

// A plain scalar that is wholly a number: a decimal integer (signed, within 64 bits), else a
// finite decimal float. Read without exceptions: most scalars (`type: object`) are words.
std::optional<nlohmann::json> plain_number(std::string_view text) {
  std::string_view digits = text.starts_with('+') ? text.substr(1) : text;
  bool signed_twice = digits.size() != text.size() && (digits.starts_with('+') || digits.starts_with('-'));
  if (digits.empty() || signed_twice) return std::nullopt;
  const char* end = digits.data() + digits.size();
  long long integer = 0;
  if (auto [at, error] = std::from_chars(digits.data(), end, integer); at == end) {
    if (error == std::errc()) return integer;
    return std::nullopt;  // an integer past 64 bits stays text rather than lose digits
  }
  double real = 0;
  if (auto [at, error] = std::from_chars(digits.data(), end, real); error == std::errc() && at == end && std::isfinite(real)) return real;
  return std::nullopt;
}

// An alias may refer to the node that holds it (`a: &x [*x]`): yaml-cpp then hands back a
// cyclic graph, and an unbounded walk overflows the stack.
nlohmann::json convert(const YAML::Node& node, size_t depth) {
  using nlohmann::json;
  if (depth > kMaxYamlDepth)
    throw ConfigError("yaml", "YAML nested deeper than " + std::to_string(kMaxYamlDepth) + " levels (or an alias that contains itself)");
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = convert(entry.second, depth + 1);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(convert(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted
      if (text == "true" || text == "false") return text == "true";
      if (text == "null" || text == "~") return nullptr;
      if (auto number = plain_number(text)) return *number;
      return text;
    }
    default: return nullptr;
  }
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) { return convert(node, 0); }

}  // namespace rt::config
