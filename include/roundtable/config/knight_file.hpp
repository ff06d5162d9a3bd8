#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace rt::config {

// Reads knight.yaml into setting names: name -> AGENT_ID, fleet -> FLEET_ID,
// domains -> TASK_DOMAINS, capabilities -> CAPABILITIES, model.name -> MODEL_NAME, and every
// key of an optional `bridge:` map in upper case (max_concurrency -> MAX_CONCURRENCY).
// A YAML error throws ConfigError naming file and line.
std::map<std::string, std::string> read_knight_file_settings(const std::filesystem::path& path);

}  // namespace rt::config
