#include "roundtable/config/knight_file.hpp"

#include <yaml-cpp/yaml.h>

#include "roundtable/config/settings.hpp"

namespace rt::config {
namespace {

std::string scalar_or_list(const YAML::Node& node) {
  if (node.IsSequence()) {
    std::string out;
    for (const auto& item : node) out += (out.empty() ? "" : ",") + item.as<std::string>();
    return out;
  }
  return node.as<std::string>();
}

}  // namespace

std::map<std::string, std::string> read_knight_file_settings(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  try {
    YAML::Node root = YAML::LoadFile(path.string());
    if (!root.IsMap()) throw ConfigError("knight.yaml", path.string() + ": expected a mapping at the top level");
    if (root["name"]) out["AGENT_ID"] = root["name"].as<std::string>();
    if (root["fleet"]) out["FLEET_ID"] = root["fleet"].as<std::string>();
    if (root["domains"]) out["TASK_DOMAINS"] = scalar_or_list(root["domains"]);
    if (root["capabilities"]) out["CAPABILITIES"] = scalar_or_list(root["capabilities"]);
    if (auto model = root["model"]; model && model.IsMap() && model["name"]) out["MODEL_NAME"] = model["name"].as<std::string>();
    if (auto bridge = root["bridge"]; bridge && bridge.IsMap())
      for (const auto& entry : bridge) out[env_name(entry.first.as<std::string>())] = scalar_or_list(entry.second);
  } catch (const YAML::BadFile&) {
    throw ConfigError("knight.yaml", path.string() + ": cannot be read");
  } catch (const YAML::Exception& error) {
    throw ConfigError("knight.yaml", path.string() + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  return out;
}

}  // namespace rt::config
