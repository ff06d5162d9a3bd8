#include "roundtable/gateway/workspace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "roundtable/common/duration.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/config/yaml_json.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;
using config::ConfigError;
using nlohmann::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.filename().string(), path.string() + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

[[noreturn]] void fail_at(const fs::path& file, const YAML::Node& node, const std::string& message) {
  int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  throw ConfigError(file.filename().string(), file.string() + (line ? ":" + std::to_string(line) : "") + ": " + message);
}

std::string identifier_at(const fs::path& file, const YAML::Node& node, const char* what) {
  if (!node || !node.IsScalar()) fail_at(file, node, std::string("'") + what + "' is required and must be a string");
  auto value = node.as<std::string>();
  if (!contract::is_identifier(value)) fail_at(file, node, std::string("'") + what + "' must be an identifier ([a-z0-9][a-z0-9-]*), got '" + value + "'");
  return value;
}

std::vector<std::string> string_list(const fs::path& file, const YAML::Node& node, const char* what) {
  std::vector<std::string> out;
  if (!node) return out;
  if (!node.IsSequence()) fail_at(file, node, std::string("'") + what + "' must be a list");
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

std::chrono::milliseconds duration_at(const fs::path& file, const YAML::Node& node, std::chrono::milliseconds fallback) {
  if (!node) return fallback;
  auto parsed = parse_duration(node.as<std::string>());
  if (!parsed) fail_at(file, node, "expected a duration like 500ms, 30s, 5m, got '" + node.as<std::string>() + "'");
  return *parsed;
}

bool flag_at(const fs::path& file, const YAML::Node& node, const char* what) {
  if (!node) return false;
  if (!node.IsScalar()) fail_at(file, node, std::string("'") + what + "' must be true or false");
  const std::string text = node.as<std::string>();
  if (text == "true") return true;
  if (text == "false") return false;
  fail_at(file, node, std::string("'") + what + "' must be true or false, got '" + text + "'");
}

template <typename T>
T number_at(const fs::path& file, const YAML::Node& node, T fallback, const char* what) {
  if (!node) return fallback;
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    fail_at(file, node, std::string("'") + what + "' must be a number");
  }
}

KnightSettings parse_knight(const fs::path& file, const YAML::Node& root) {
  if (!root.IsMap()) fail_at(file, root, "expected a mapping at the top level");
  KnightSettings k;
  k.name = identifier_at(file, root["name"], "name");
  k.fleet = root["fleet"] ? identifier_at(file, root["fleet"], "fleet") : "fleet-a";
  k.role = root["role"] ? root["role"].as<std::string>() : "knight";
  if (k.role != "knight" && k.role != "lead") fail_at(file, root["role"], "'role' must be knight or lead");
  for (const auto& domain : string_list(file, root["domains"], "domains"))
    if (!contract::is_identifier(domain)) fail_at(file, root["domains"], "domain '" + domain + "' is not an identifier");
    else k.domains.push_back(domain);
  k.capabilities = string_list(file, root["capabilities"], "capabilities");
  k.mcp_servers = mcp::parse_servers(file, root["mcp_servers"]);
  if (root["description"]) k.description = root["description"].as<std::string>();
  if (auto model = root["model"]) {
    if (!model.IsMap()) fail_at(file, model, "'model' must be a mapping");
    if (model["provider"]) k.model.provider = model["provider"].as<std::string>();
    if (k.model.provider != "anthropic" && k.model.provider != "openai" && k.model.provider != "offline")
      fail_at(file, model["provider"], "'model.provider' must be anthropic, openai or offline, got '" + k.model.provider + "'");
    if (model["name"]) k.model.name = model["name"].as<std::string>();
    k.model.max_tokens = number_at<int64_t>(file, model["max_tokens"], k.model.max_tokens, "model.max_tokens");
    if (model["temperature"]) k.model.temperature = number_at<double>(file, model["temperature"], 0, "model.temperature");
    k.model.fallbacks = string_list(file, model["fallbacks"], "model.fallbacks");
  }
  if (auto sub = root["subagents"]) {
    if (sub["model"]) k.subagent_model = sub["model"].as<std::string>();
    k.subagent_max_parallel = number_at<int>(file, sub["max_parallel"], k.subagent_max_parallel, "subagents.max_parallel");
  }
  if (auto limits = root["limits"]) {
    k.requests_per_minute = number_at<int>(file, limits["requests_per_minute"], 0, "limits.requests_per_minute");
    k.tokens_per_day = number_at<int64_t>(file, limits["tokens_per_day"], 0, "limits.tokens_per_day");
    k.usd_per_day = number_at<double>(file, limits["usd_per_day"], 0, "limits.usd_per_day");
    if (!(k.usd_per_day >= 0) || k.usd_per_day > 1e9) fail_at(file, limits["usd_per_day"], "limits.usd_per_day must be a number of dollars, at least 0");
    k.max_tool_iterations = number_at<int>(file, limits["max_tool_iterations"], k.max_tool_iterations, "limits.max_tool_iterations");
  }
  k.skills = string_list(file, root["skills"], "skills");
  if (auto memory = root["memory"]) k.memory_max_bytes = number_at<size_t>(file, memory["max_bytes"], k.memory_max_bytes, "memory.max_bytes");
  if (auto delegates = root["delegates"]) {
    if (!delegates.IsSequence()) fail_at(file, delegates, "'delegates' must be a list of {agent, task}");
    for (const auto& d : delegates) {
      Delegate delegate{identifier_at(file, d["agent"], "delegates[].agent"), d["task"] ? d["task"].as<std::string>() : "", json::object()};
      if (!contract::parse_task_name(delegate.task)) fail_at(file, d, "delegates[].task must be <domain>.<action>");
      if (d["params"]) delegate.params = config::yaml_to_json(d["params"]);
      k.delegates.push_back(std::move(delegate));
    }
  }
  k.delegate_deadline = duration_at(file, root["delegate_deadline"], k.delegate_deadline);
  if (k.model.max_tokens <= 0) fail_at(file, root["model"], "model.max_tokens must be positive");
  if (k.max_tool_iterations < 1) fail_at(file, root["limits"], "limits.max_tool_iterations must be at least 1");
  return k;
}

// Each limit is a whole number from 1 to its ceiling: typos and zeros fail loudly at start
// instead of leaving a skill unlimited or unable to run.
SkillLimits limits_at(const fs::path& file, const YAML::Node& node) {
  SkillLimits limits;
  if (!node) return limits;
  if (!node.IsMap()) fail_at(file, node, "'limits' must be a mapping of memory_mb, cpu_seconds, processes, file_size_mb");
  const std::pair<const char*, uint64_t SkillLimits::*> known[] = {{"memory_mb", &SkillLimits::memory_mb},
                                                                   {"cpu_seconds", &SkillLimits::cpu_seconds},
                                                                   {"processes", &SkillLimits::processes},
                                                                   {"file_size_mb", &SkillLimits::file_size_mb}};
  constexpr uint64_t ceiling = 1ULL << 22;  // 4 TiB, 48 days, 4M processes: far above any real need, no overflow
  for (const auto& entry : node) {
    auto key = entry.first.as<std::string>();
    auto field = std::find_if(std::begin(known), std::end(known), [&](const auto& k) { return key == k.first; });
    if (field == std::end(known)) fail_at(file, entry.first, "unknown limit '" + key + "' (known: memory_mb, cpu_seconds, processes, file_size_mb)");
    std::string text = entry.second.IsScalar() ? entry.second.as<std::string>() : "";
    uint64_t value = 0;
    bool digits = !text.empty() && text.size() <= 9 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) value = std::stoull(text);
    if (!digits || value < 1 || value > ceiling)
      fail_at(file, entry.second, "'limits." + key + "' must be a whole number from 1 to " + std::to_string(ceiling) + ", got '" + text + "'");
    limits.*(field->second) = value;
  }
  return limits;
}

bool inside(const fs::path& root, const fs::path& candidate) {
  auto r = root.lexically_normal().string(), c = candidate.lexically_normal().string();
  return c.size() > r.size() && c.compare(0, r.size(), r) == 0 && (r.back() == '/' || c[r.size()] == '/');
}

}  // namespace

namespace {

Skill parse_skill(const fs::path& workspace_dir, const fs::path& skill_dir);

}  // namespace

Skill load_skill(const fs::path& workspace_dir, const fs::path& skill_dir) {
  try {
    return parse_skill(workspace_dir, skill_dir);
  } catch (const YAML::Exception& e) {  // a value of the wrong shape (say, a list for a string)
    fs::path file = skill_dir / "SKILL.md";
    throw ConfigError("SKILL.md", file.string() + (e.mark.line >= 0 ? ":" + std::to_string(e.mark.line + 1) : "") + ": " + e.msg);
  }
}

namespace {

Skill parse_skill(const fs::path& workspace_dir, const fs::path& skill_dir) {
  fs::path file = skill_dir / "SKILL.md";
  std::string text = read_file(file);
  if (text.rfind("---", 0) != 0) throw ConfigError("SKILL.md", file.string() + ":1: expected YAML front matter starting with ---");
  auto end = text.find("\n---", 3);
  if (end == std::string::npos) throw ConfigError("SKILL.md", file.string() + ": front matter has no closing ---");
  YAML::Node front;
  try {
    front = YAML::Load(text.substr(3, end - 3));
  } catch (const YAML::Exception& e) {
    throw ConfigError("SKILL.md", file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Skill skill;
  skill.dir = skill_dir;
  skill.name = identifier_at(file, front["name"], "name");
  skill.description = front["description"] ? front["description"].as<std::string>() : "";
  if (front["input"]) skill.input_schema = config::yaml_to_json(front["input"]);
  if (!skill.input_schema.is_object()) fail_at(file, front["input"], "'input' must be a JSON schema object");
  if (!skill.input_schema.contains("type")) skill.input_schema["type"] = "object";
  skill.command = string_list(file, front["command"], "command");
  if (skill.command.empty()) fail_at(file, front, "'command' must be a non-empty argv list");
  skill.timeout = duration_at(file, front["timeout"], skill.timeout);
  skill.limits = limits_at(file, front["limits"]);
  skill.idempotent = flag_at(file, front["idempotent"], "idempotent");
  std::error_code ec;
  auto root = fs::canonical(workspace_dir, ec);
  auto executable = fs::weakly_canonical(skill_dir / skill.command[0], ec);
  if (ec || !inside(root, executable))
    fail_at(file, front["command"], "command '" + skill.command[0] + "' escapes the workspace; skills run only files inside it");
  if (!fs::exists(executable)) fail_at(file, front["command"], "command '" + skill.command[0] + "' does not exist");
  if (fs::is_directory(executable)) fail_at(file, front["command"], "command '" + skill.command[0] + "' is a directory");
  if (::access(executable.c_str(), X_OK) != 0)
    fail_at(file, front["command"], "command '" + skill.command[0] + "' is not executable (chmod +x, with a #! line for scripts)");
  skill.executable = executable;
  return skill;
}

}  // namespace

SkillLimits parse_skill_limits(const fs::path& file, const std::string& yaml) {
  try {
    return limits_at(file, YAML::Load(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError("SKILL.md", file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

// Read on every task (the remember tool and the operator may change it), so plainly: one
// open and reads into one string, without a stream buffer copied into a string stream.
std::string Workspace::memory() const {
  std::string text;
  int fd = ::open(memory_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char chunk[8192];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) text.append(chunk, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(fd);
  return text;
}

Workspace load_workspace(const fs::path& dir) {
  Workspace ws;
  std::error_code ec;
  ws.dir = fs::canonical(dir, ec);
  if (ec) throw ConfigError("WORKSPACE_DIR", "WORKSPACE_DIR " + dir.string() + " does not exist");
  fs::path knight_file = ws.dir / "knight.yaml";
  try {
    ws.knight = parse_knight(knight_file, YAML::LoadFile(knight_file.string()));
  } catch (const YAML::BadFile&) {
    throw ConfigError("knight.yaml", knight_file.string() + ": cannot be read");
  } catch (const YAML::Exception& e) {
    throw ConfigError("knight.yaml", knight_file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  ws.soul = read_file(ws.dir / "SOUL.md");
  // Optional front matter (---, YAML, ---): read for the agent card, kept out of the prompt.
  if (ws.soul.rfind("---\n", 0) == 0)
    if (auto end = ws.soul.find("\n---", 3); end != std::string::npos) {
      try {
        if (auto front = YAML::Load(ws.soul.substr(4, end - 4)); front.IsMap() && front["description"])
          ws.knight.description = front["description"].as<std::string>();
      } catch (const YAML::Exception& e) {
        throw ConfigError("SOUL.md", (ws.dir / "SOUL.md").string() + ":" + std::to_string(e.mark.line + 2) + ": front matter: " + e.msg);
      }
      auto body = ws.soul.find('\n', end + 4);
      ws.soul = body == std::string::npos ? "" : ws.soul.substr(body + 1);
    }
  ws.memory_file = ws.dir / "MEMORY.md";
  if (!fs::exists(ws.memory_file)) std::ofstream(ws.memory_file) << "# Memory\n";
  for (const auto& name : ws.knight.skills) {
    if (!contract::is_identifier(name)) throw ConfigError("knight.yaml", knight_file.string() + ": skill '" + name + "' is not an identifier");
    ws.skills.push_back(load_skill(ws.dir, ws.dir / "skills" / name));
  }
  return ws;
}

}  // namespace rt::gateway
