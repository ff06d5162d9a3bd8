#pragma once
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace rt::config {
// YAML -> JSON: maps, lists, and scalars typed as YAML would (quoted stays a string).
nlohmann::json yaml_to_json(const YAML::Node& node);
}  // namespace rt::config
