#pragma once
// knight.yaml `mcp_servers:`: the MCP servers whose tools join a knight's skills (docs/mcp.md).
//
//   mcp_servers:
//     - name: files                         # tools become files__<tool>
//       command: [mcp-server-filesystem, /workspace/data]   # stdio: argv, no shell
//       env: {LOG_LEVEL: warn}              # set in the server's environment
//       env_from: {GITHUB_TOKEN: GH_TOKEN}  # server variable <- the gateway's variable
//       tools: [read_text_file]             # allow-list; absent: every tool
//       timeout: 30s                        # per call (and the task's deadline)
//     - name: home
//       url: http://homeassistant:8123/api/mcp   # Streamable HTTP
//       headers: {X-Client: roundtable}
//       bearer_env: HA_TOKEN                # Authorization: Bearer <$HA_TOKEN>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "roundtable/config/settings.hpp"

namespace rt::mcp {

enum class TransportKind { stdio, http };

struct ServerConfig {
  std::string name;  // an identifier; the tools' prefix "<name>__"
  TransportKind transport = TransportKind::stdio;
  // stdio
  std::vector<std::string> command;              // argv; command[0] resolved against PATH or the workspace
  std::map<std::string, std::string> env;        // literal values
  std::map<std::string, std::string> env_from;   // server variable -> gateway variable (resolved into env)
  std::filesystem::path cwd;                     // default: the workspace
  // http
  std::string url;
  std::map<std::string, std::string> headers;
  std::string bearer_env;  // the gateway variable holding the bearer token
  std::string bearer;      // its value, resolved at start-up: a secret, never logged
  // both
  std::optional<std::vector<std::string>> allowed_tools;  // nullopt: all
  std::chrono::milliseconds timeout{30'000};
  std::string path_env;  // the gateway's PATH, for stdio servers
};

// The `mcp_servers` node (absent: none). Throws config::ConfigError naming file and line.
std::vector<ServerConfig> parse_servers(const std::filesystem::path& file, const YAML::Node& node);

// Reads env_from and bearer_env from the gateway's environment (before the gateway scrubs its
// secrets from it), resolves relative commands and cwd against the workspace. Throws
// config::ConfigError for a variable that is not set.
void resolve_environment(std::vector<ServerConfig>& servers, const config::EnvMap& env, const std::filesystem::path& workspace);

// "everything" + "get-sum" -> "everything__get-sum": only [A-Za-z0-9_-], at most 64 characters
// (what the Anthropic and OpenAI APIs accept as a tool name).
std::string tool_name(const std::string& server, const std::string& remote);

}  // namespace rt::mcp
