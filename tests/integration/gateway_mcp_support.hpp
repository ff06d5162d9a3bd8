#pragma once
// Shared by it_gateway_mcp and it_gateway_mcp_unruly: the real knight-gateway with MCP servers in
// its knight.yaml, a scripted LLM, and readers for what the gateway sent back to the LLM.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"

namespace rt::testing::mcp_support {

using nlohmann::json;
namespace fs = std::filesystem;

inline const std::string kBin = std::string(RT_SOURCE_DIR) + "/tests/interop/node_modules/.bin/";
inline const std::string kEverything = kBin + "mcp-server-everything";
inline const std::string kFilesystem = kBin + "mcp-server-filesystem";

inline const std::string kKnight = R"(name: testknight
fleet: fleet-a
role: knight
domains: [security]
capabilities: [security.briefing]
model:
  provider: offline
  name: test-model
  max_tokens: 1000
limits:
  max_tool_iterations: 6
skills: [echo]
)";

// The tool_result blocks the gateway sent back to the LLM in its latest call.
inline std::vector<json> tool_results(const std::vector<GatewayCall>& calls) {
  std::vector<json> out;
  if (calls.empty()) return out;
  for (const auto& message : calls.back().json["messages"])
    if (message["role"] == "user" && message["content"].is_array())
      for (const auto& block : message["content"])
        if (block["type"] == "tool_result") out.push_back(block);
  return out;
}

inline std::vector<std::string> tool_names(const GatewayCall& call) {
  std::vector<std::string> names;
  for (const auto& tool : call.json["tools"]) names.push_back(tool["name"]);
  return names;
}

inline bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Direct children of `parent` whose command line mentions `needle`.
inline std::vector<pid_t> children_running(pid_t parent, const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    pid_t ppid = 0;
    std::istringstream rest(text.substr(paren + 2));
    rest >> state >> ppid;
    if (ppid != parent || state == 'Z') continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(needle) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

class GatewayMcp : public ::testing::Test {
 protected:
  GatewayProcess& start(const std::string& mcp_yaml, std::map<std::string, std::string> env = {}) {
    ws_.write("knight.yaml", kKnight + mcp_yaml);
    std::map<std::string, std::string> base{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                            {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"LOG_LEVEL", "debug"}};
    for (auto& [k, v] : env) base[k] = v;
    gateway_ = std::make_unique<GatewayProcess>(ws_.dir(), base);
    gateway_->start();
    EXPECT_TRUE(gateway_->wait_ready(std::chrono::seconds(60))) << gateway_->output();
    return *gateway_;
  }
  // server-everything over Streamable HTTP on a free port, listening when this returns.
  std::string start_http_everything(int port = 0) {
    http_port_ = port ? port : free_port();
    http_server_ = std::make_unique<ChildProcess>(std::vector<std::string>{kEverything, "streamableHttp"},
                                                  std::map<std::string, std::string>{{"PORT", std::to_string(http_port_)}},
                                                  scratch_ / ("http-everything-" + std::to_string(++http_starts_) + ".log"));
    http_server_->start();
    EXPECT_TRUE(wait_for_port(http_port_, std::chrono::seconds(60))) << http_server_->output();
    return "http://127.0.0.1:" + std::to_string(http_port_) + "/mcp";
  }
  void TearDown() override {
    if (HasFailure() && gateway_) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 20000) << "\n";
    gateway_.reset();
    http_server_.reset();
    fs::remove_all(scratch_);
  }

  TempWorkspace ws_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::unique_ptr<GatewayProcess> gateway_;
  fs::path scratch_ = make_temp_dir("rt-mcp-test");
  std::unique_ptr<ChildProcess> http_server_;
  int http_port_ = 0;
  int http_starts_ = 0;
};

}  // namespace rt::testing::mcp_support
