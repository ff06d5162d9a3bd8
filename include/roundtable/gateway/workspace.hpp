#pragma once
// A knight's workspace: knight.yaml, SOUL.md, MEMORY.md and skills/<name>/SKILL.md.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/mcp/server_config.hpp"

namespace rt::gateway {

struct ModelSettings {
  std::string provider = "offline";  // anthropic | openai | offline
  std::string name = "offline";
  int64_t max_tokens = 4000;
  std::optional<double> temperature;
  std::vector<std::string> fallbacks;
};

struct Delegate {
  std::string agent;
  std::string task;  // <domain>.<action>
  nlohmann::json params = nlohmann::json::object();
};

struct KnightSettings {
  std::string name;
  std::string fleet;
  std::string role = "knight";  // knight | lead
  std::string description;      // knight.yaml `description:`, or SOUL.md front matter's (it wins)
  std::vector<std::string> domains;
  std::vector<std::string> capabilities;
  ModelSettings model;
  std::string subagent_model;
  int subagent_max_parallel = 3;
  int requests_per_minute = 0;  // 0: unlimited
  int64_t tokens_per_day = 0;   // 0: unlimited
  double usd_per_day = 0;       // 0: unlimited; priced by llm::PriceTable
  int max_tool_iterations = 6;
  std::vector<std::string> skills;
  size_t memory_max_bytes = 16384;
  std::vector<Delegate> delegates;  // lead role
  std::chrono::milliseconds delegate_deadline{60'000};
  std::vector<mcp::ServerConfig> mcp_servers;  // docs/mcp.md
};

// What one run of a skill may use (SKILL.md `limits:`); see docs/security.md.
struct SkillLimits {
  uint64_t memory_mb = 512;   // address space (RLIMIT_AS)
  uint64_t cpu_seconds = 30;  // CPU time (RLIMIT_CPU)
  uint64_t processes = 64;    // processes and threads at once (cgroup pids.max, RLIMIT_NPROC)
  uint64_t file_size_mb = 16; // largest file it may write (RLIMIT_FSIZE)
};

struct Skill {
  std::string name;
  std::string description;
  nlohmann::json input_schema = {{"type", "object"}};
  std::vector<std::string> command;  // argv; command[0] resolved inside the skill folder
  std::chrono::milliseconds timeout{10'000};
  SkillLimits limits;
  bool idempotent = false;  // SKILL.md `idempotent: true`: safe to run again when a resumed task finds it interrupted
  std::filesystem::path dir;
  std::filesystem::path executable;  // command[0], resolved and checked to stay in the workspace
};

struct Workspace {
  std::filesystem::path dir;
  KnightSettings knight;
  std::string soul;
  std::filesystem::path memory_file;
  std::vector<Skill> skills;
  std::string memory() const;  // MEMORY.md as it is now (it grows)
};

// Throws config::ConfigError naming the file (and line, for YAML) on anything missing or invalid.
Workspace load_workspace(const std::filesystem::path& dir);
Skill load_skill(const std::filesystem::path& workspace_dir, const std::filesystem::path& skill_dir);
// SKILL.md's `limits:` map as YAML text ("memory_mb: 256\ncpu_seconds: 5"); throws ConfigError naming `file`.
SkillLimits parse_skill_limits(const std::filesystem::path& file, const std::string& yaml);

}  // namespace rt::gateway
