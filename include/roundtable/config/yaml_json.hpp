#pragma once
#include <cstddef>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace rt::config {
// YAML -> JSON: maps, lists, and scalars typed as YAML would (quoted stays a string).
// Deeper than kMaxYamlDepth, or an alias that contains itself, throws ConfigError.
inline constexpr size_t kMaxYamlDepth = 64;
nlohmann::json yaml_to_json(const YAML::Node& node);
}  // namespace rt::config
