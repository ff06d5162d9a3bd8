// knight.yaml `mcp_servers:` read into ServerConfig, its secrets from the environment.
#include <gtest/gtest.h>

#include "roundtable/config/settings.hpp"
#include "roundtable/mcp/server_config.hpp"

namespace rt::mcp {
namespace {

std::vector<ServerConfig> parse(const std::string& yaml) { return parse_servers("/ws/knight.yaml", YAML::Load(yaml)["mcp_servers"]); }

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(McpServerConfig, ReadsStdioAndHttpServers) {
  auto servers = parse(R"(
mcp_servers:
  - name: files
    command: [mcp-server-filesystem, /data]
    args: [--verbose]
    env: {LOG_LEVEL: warn}
    env_from: {GITHUB_TOKEN: GH_TOKEN}
    tools: [read_text_file]
    timeout: 5s
  - name: home
    url: https://ha.example:8123/api/mcp
    headers: {X-Client: roundtable}
    bearer_env: HA_TOKEN
)");
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].transport, TransportKind::stdio);
  EXPECT_EQ(servers[0].command, (std::vector<std::string>{"mcp-server-filesystem", "/data", "--verbose"}));
  EXPECT_EQ(servers[0].env.at("LOG_LEVEL"), "warn");
  EXPECT_EQ(servers[0].env_from.at("GITHUB_TOKEN"), "GH_TOKEN");
  ASSERT_TRUE(servers[0].allowed_tools);
  EXPECT_EQ(*servers[0].allowed_tools, std::vector<std::string>{"read_text_file"});
  EXPECT_EQ(servers[0].timeout, std::chrono::seconds(5));
  EXPECT_EQ(servers[1].transport, TransportKind::http);
  EXPECT_EQ(servers[1].url, "https://ha.example:8123/api/mcp");
  EXPECT_EQ(servers[1].headers.at("X-Client"), "roundtable");
  EXPECT_EQ(servers[1].bearer_env, "HA_TOKEN");
  EXPECT_FALSE(servers[1].allowed_tools) << "no allow-list: every tool";
  EXPECT_EQ(servers[1].timeout, std::chrono::seconds(30));
}

TEST(McpServerConfig, AbsentMeansNone) { EXPECT_TRUE(parse("name: x\n").empty()); }

TEST(McpServerConfig, RefusesWhatCannotWorkNamingFileAndLine) {
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n").find("needs either 'command'"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n    command: [x]\n    url: http://h/\n").find("not both"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: Bad_Name\n    command: [x]\n").find("knight.yaml:2"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n    url: ftp://h/\n").find("http:// or https://"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n    command: [x]\n  - name: a\n    command: [y]\n").find("used twice"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n    command: [x]\n    timeout: soon\n").find("duration"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers:\n  - name: a\n    command: [x]\n    bearer: abc\n").find("unknown key 'bearer'"), std::string::npos);
  EXPECT_NE(error_of("mcp_servers: {a: 1}\n").find("must be a list"), std::string::npos);
}

TEST(McpServerConfig, SecretsComeFromTheEnvironmentAndMustBeThere) {
  auto servers = parse("mcp_servers:\n  - name: gh\n    command: [sh, -c, x]\n    env_from: {GITHUB_TOKEN: GH_TOKEN}\n"
                       "  - name: home\n    url: http://ha:8123/mcp\n    bearer_env: HA_TOKEN\n");
  resolve_environment(servers, {{"GH_TOKEN", "ghp-1"}, {"HA_TOKEN", "ha-2"}, {"PATH", "/usr/bin:/bin"}}, "/ws");
  EXPECT_EQ(servers[0].env.at("GITHUB_TOKEN"), "ghp-1");
  EXPECT_EQ(servers[0].command[0], "/usr/bin/sh") << "found on PATH before fork";
  EXPECT_EQ(servers[0].cwd, "/ws");
  EXPECT_EQ(servers[1].bearer, "ha-2");
  auto missing = parse("mcp_servers:\n  - name: home\n    url: http://ha:8123/mcp\n    bearer_env: HA_TOKEN\n");
  EXPECT_THROW(resolve_environment(missing, {}, "/ws"), config::ConfigError);
}

TEST(McpServerConfig, RelativeCommandsAreTheWorkspaces) {
  auto servers = parse("mcp_servers:\n  - name: local\n    command: [bin/server]\n    cwd: data\n");
  resolve_environment(servers, {}, "/ws");
  EXPECT_EQ(servers[0].command[0], "/ws/bin/server");
  EXPECT_EQ(servers[0].cwd, "/ws/data");
}

TEST(McpServerConfig, ToolNamesAreNamespacedAndFitTheLlmApis) {
  EXPECT_EQ(tool_name("everything", "get-sum"), "everything__get-sum");
  EXPECT_EQ(tool_name("home", "light.turn on"), "home__light_turn_on");
  EXPECT_EQ(tool_name("s", std::string(100, 'x')).size(), 64u);
}

}  // namespace
}  // namespace rt::mcp
