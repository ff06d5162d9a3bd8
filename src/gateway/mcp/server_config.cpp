#include "roundtable/mcp/server_config.hpp"

#include <algorithm>
#include <cctype>

#include "roundtable/common/duration.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::mcp {
namespace {

namespace fs = std::filesystem;
using config::ConfigError;

[[noreturn]] void fail_at(const fs::path& file, const YAML::Node& node, const std::string& message) {
  int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  throw ConfigError(file.filename().string(), file.string() + (line ? ":" + std::to_string(line) : "") + ": " + message);
}

std::string scalar_at(const fs::path& file, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) fail_at(file, node, "'" + what + "' must be a string");
  return node.as<std::string>();
}

std::map<std::string, std::string> string_map(const fs::path& file, const YAML::Node& node, const std::string& what) {
  std::map<std::string, std::string> out;
  if (!node) return out;
  if (!node.IsMap()) fail_at(file, node, "'" + what + "' must be a mapping of names to strings");
  for (const auto& entry : node) out[scalar_at(file, entry.first, what)] = scalar_at(file, entry.second, what + "." + entry.first.as<std::string>());
  return out;
}

std::vector<std::string> string_list(const fs::path& file, const YAML::Node& node, const std::string& what) {
  std::vector<std::string> out;
  if (!node.IsSequence()) fail_at(file, node, "'" + what + "' must be a list of strings");
  for (const auto& item : node) out.push_back(scalar_at(file, item, what + "[]"));
  return out;
}

bool is_env_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

ServerConfig parse_server(const fs::path& file, const YAML::Node& node, size_t index) {
  const std::string at = "mcp_servers[" + std::to_string(index) + "]";
  if (!node.IsMap()) fail_at(file, node, at + " must be a mapping with a name and a command or url");
  ServerConfig server;
  if (!node["name"]) fail_at(file, node, at + ".name is required");
  server.name = scalar_at(file, node["name"], at + ".name");
  if (!contract::is_identifier(server.name) || server.name.find("__") != std::string::npos)
    fail_at(file, node["name"], at + ".name must be an identifier ([a-z0-9][a-z0-9-]*), got '" + server.name + "'");
  const bool has_command = static_cast<bool>(node["command"]), has_url = static_cast<bool>(node["url"]);
  if (has_command == has_url) fail_at(file, node, at + " needs either 'command' (stdio) or 'url' (Streamable HTTP), not both");
  if (has_command) {
    server.transport = TransportKind::stdio;
    server.command = node["command"].IsScalar() ? std::vector<std::string>{node["command"].as<std::string>()}
                                                : string_list(file, node["command"], at + ".command");
    if (auto args = node["args"]) {
      auto extra = string_list(file, args, at + ".args");
      server.command.insert(server.command.end(), extra.begin(), extra.end());
    }
    if (server.command.empty() || server.command[0].empty()) fail_at(file, node["command"], at + ".command must name a program");
    server.env = string_map(file, node["env"], at + ".env");
    server.env_from = string_map(file, node["env_from"], at + ".env_from");
    if (node["cwd"]) server.cwd = scalar_at(file, node["cwd"], at + ".cwd");
  } else {
    server.transport = TransportKind::http;
    server.url = scalar_at(file, node["url"], at + ".url");
    if (server.url.rfind("http://", 0) != 0 && server.url.rfind("https://", 0) != 0)
      fail_at(file, node["url"], at + ".url must be an http:// or https:// URL");
    server.headers = string_map(file, node["headers"], at + ".headers");
    if (node["bearer_env"]) server.bearer_env = scalar_at(file, node["bearer_env"], at + ".bearer_env");
  }
  for (const auto& [name, from] : server.env_from)
    if (!is_env_name(name) || !is_env_name(from)) fail_at(file, node["env_from"], at + ".env_from maps variable names to variable names");
  if (!server.bearer_env.empty() && !is_env_name(server.bearer_env)) fail_at(file, node["bearer_env"], at + ".bearer_env must be a variable name");
  if (node["tools"]) server.allowed_tools = string_list(file, node["tools"], at + ".tools");
  if (auto timeout = node["timeout"]) {
    auto parsed = parse_duration(scalar_at(file, timeout, at + ".timeout"));
    if (!parsed || parsed->count() <= 0) fail_at(file, timeout, at + ".timeout must be a duration like 500ms, 30s, 5m");
    server.timeout = *parsed;
  }
  for (const auto& entry : node) {
    static const std::vector<std::string> known{"name", "command", "args", "env", "env_from", "cwd", "url",
                                                "headers", "bearer_env", "tools", "timeout"};
    auto key = entry.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) fail_at(file, entry.first, at + ": unknown key '" + key + "'");
  }
  return server;
}

// PATH lookup in the parent: the child, between fork and exec, may not search.
std::string find_program(const std::string& program, const std::string& path, const fs::path& workspace) {
  if (program.find('/') != std::string::npos) return fs::path(program).is_absolute() ? program : (workspace / program).string();
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    fs::path candidate = fs::path(path.substr(start, end - start)) / program;
    std::error_code error;
    if (end > start && fs::is_regular_file(candidate, error)) return candidate.string();
    start = end + 1;
  }
  return program;  // left as is: starting it fails, and the failure is reported then
}

}  // namespace

std::vector<ServerConfig> parse_servers(const fs::path& file, const YAML::Node& node) {
  std::vector<ServerConfig> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) fail_at(file, node, "'mcp_servers' must be a list of servers");
  for (size_t i = 0; i < node.size(); ++i) {
    auto server = parse_server(file, node[i], i);
    for (const auto& other : out)
      if (other.name == server.name) fail_at(file, node[i], "mcp_servers: the name '" + server.name + "' is used twice");
    out.push_back(std::move(server));
  }
  return out;
}

void resolve_environment(std::vector<ServerConfig>& servers, const config::EnvMap& env, const fs::path& workspace) {
  auto path = env.find("PATH");
  for (auto& server : servers) {
    server.path_env = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
    for (const auto& [name, from] : server.env_from) {
      auto value = env.find(from);
      if (value == env.end())
        throw ConfigError(from, "mcp_servers '" + server.name + "': env_from needs " + from + " in the gateway's environment");
      server.env[name] = value->second;
    }
    if (!server.bearer_env.empty()) {
      auto value = env.find(server.bearer_env);
      if (value == env.end() || value->second.empty())
        throw ConfigError(server.bearer_env, "mcp_servers '" + server.name + "': bearer_env needs " + server.bearer_env + " in the gateway's environment");
      server.bearer = value->second;
    }
    if (server.transport != TransportKind::stdio) continue;
    server.command[0] = find_program(server.command[0], server.path_env, workspace);
    if (server.cwd.empty()) server.cwd = workspace;
    else if (server.cwd.is_relative()) server.cwd = workspace / server.cwd;
  }
}

std::string tool_name(const std::string& server, const std::string& remote) {
  std::string name = server + "__" + remote;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  if (name.size() > 64) name.resize(64);
  return name;
}

}  // namespace rt::mcp
