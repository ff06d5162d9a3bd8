#include "roundtable/config/yaml_json.hpp"

#include "roundtable/config/settings.hpp"

namespace rt::config {
namespace {

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
      try {
        size_t used = 0;
        long long i = std::stoll(text, &used);
        if (used == text.size()) return i;
        double d = std::stod(text, &used);
        if (used == text.size()) return d;
      } catch (const std::exception&) {
      }
      return text;
    }
    default: return nullptr;
  }
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) { return convert(node, 0); }

}  // namespace rt::config
