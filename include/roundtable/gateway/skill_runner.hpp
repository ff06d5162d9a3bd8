#pragma once
// Runs a skill as a child process: argv (no shell), JSON on stdin, timeout, capped stdout,
// scrubbed environment, working directory inside the workspace, the skill's limits (memory,
// CPU, processes, file size), no capabilities and no new privileges; every process it starts
// is killed and reaped when the run ends. See docs/security.md.
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway {

struct SkillRun {
  int exit_code = 0;
  std::string output;  // stdout, capped
  std::string errors;  // stderr, capped
  bool truncated = false;
  bool timed_out = false;
  bool cancelled = false;  // killed because its task was cancelled
  std::string containment;  // how its processes were held: "cgroup v2", "cgroup v1 pids", "none" (process tree)
};

struct SkillSandbox {
  size_t max_output_bytes = 64 * 1024;
  std::map<std::string, std::string> extra_env;  // e.g. REDIS_URL, FLEET_ID, AGENT_ID
  std::string home;                              // HOME for the skill (the workspace)
  // rt-skill-start, which holds the skill until it is the OOM killer's first choice; empty:
  // the skill is exec'd directly and adjusted only once it runs.
  std::string start_program;
};

// rt-skill-start beside the running executable, or "" when it is not there.
std::string find_skill_start_program();

// Fails only when the process cannot be started; a non-zero exit is a SkillRun.
// `canceled`, when set, is polled while the skill runs; once true the skill's processes are killed.
Result<SkillRun> run_skill(const Skill& skill, const nlohmann::json& input, const SkillSandbox& sandbox,
                           const std::function<bool()>& canceled = {});

}  // namespace rt::gateway
