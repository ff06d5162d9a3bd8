// roundtable mcp: the fleet as an MCP server, driven by the official MCP TypeScript SDK client,
// the MCP inspector CLI and the test's own client, against real knights (nats-bridge +
// knight-gateway, one on the offline provider, one on a scripted LLM) on a real nats-server.
#include <httplib.h>

#include <unistd.h>

#include <regex>

#include "cli_mcp_peer.hpp"
#include "cli_support.hpp"
#include "fixtures/bridge_harness.hpp"
#include "fixtures/gateway_harness.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string interop_dir() { return std::string(RT_SOURCE_DIR) + "/tests/interop"; }

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':'))
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "/usr/bin/" + name;
}

// The `RESULT <json>` line a node script printed.
json result_line(const std::string& output) {
  auto line = line_with(output, "RESULT {");
  if (line.empty()) return json();
  return json::parse(line.substr(line.find('{')), nullptr, false);
}

// A fleet for the whole suite: galahad (security, offline provider) and percival (comms, a
// scripted LLM), each a real bridge + gateway, and forge (a played knight that fails every task).
struct Fleet {
  NatsServer nats;
  std::unique_ptr<TestBus> bus;
  FakeGateway llm;
  ScriptedLlm script{llm};
  TempWorkspace galahad_ws{"basic"}, percival_ws{"basic"};
  std::unique_ptr<GatewayProcess> galahad_gw, percival_gw;
  std::unique_ptr<BridgeProcess> galahad, percival;
  std::unique_ptr<PlayedKnight> forge;

  Fleet() {
    bus = std::make_unique<TestBus>(nats.url());
    bus->apply_streams();
    script.otherwise([](const GatewayCall& call) {
      bool heard = call.body.find("drawbridge") != std::string::npos;
      return anthropic_text(heard ? "percival: the drawbridge is up" : "percival: all quiet on the comms front");
    });
    galahad_gw = std::make_unique<GatewayProcess>(galahad_ws.dir(), std::map<std::string, std::string>{{"LLM_PROVIDER", "offline"}});
    percival_gw = std::make_unique<GatewayProcess>(
        percival_ws.dir(), std::map<std::string, std::string>{
                               {"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm.url()}, {"ANTHROPIC_API_KEY", "sk-ant-test-key"}});
    galahad_gw->start();
    percival_gw->start();
    galahad = std::make_unique<BridgeProcess>(nats.url(), galahad_gw->url(),
                                              std::map<std::string, std::string>{{"AGENT_ID", "galahad"}, {"TASK_DOMAINS", "security"}});
    percival = std::make_unique<BridgeProcess>(nats.url(), percival_gw->url(),
                                               std::map<std::string, std::string>{{"AGENT_ID", "percival"}, {"TASK_DOMAINS", "comms"}});
    if (!galahad_gw->wait_ready() || !percival_gw->wait_ready()) throw std::runtime_error("gateways not ready");
    galahad->start();
    percival->start();
    if (!galahad->wait_ready() || !percival->wait_ready()) throw std::runtime_error("bridges not ready");
    forge = std::make_unique<PlayedKnight>(*bus, "forge", "forge", [](const contract::Envelope& task) {
      return failure_envelope("forge", task, ErrorCode::skill_missing, "no smelting skill is installed");
    });
    // Both real knights on the roster before any test asks for it.
    bool both = eventually([&] {
      auto subjects = bus->js().subjects(contract::kHeartbeatStream, "fleet-a.heartbeat.*");
      return subjects && subjects->size() >= 2;
    });
    if (!both) throw std::runtime_error("no heartbeats from the knights");
  }
  std::map<std::string, std::string> env() const { return {{"NATS_URL", nats.url()}, {"FLEET_ID", "fleet-a"}}; }
};

class McpServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fleet_ = new Fleet(); }
  static void TearDownTestSuite() {
    delete fleet_;
    fleet_ = nullptr;
  }

  std::unique_ptr<StdioPeer> stdio(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{roundtable_binary(), "mcp"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto log = make_temp_dir("rt-mcp") / "stderr.log";
    return std::make_unique<StdioPeer>(argv, fleet_->env(), log);
  }

  json initialize(StdioPeer& peer, const std::string& version = "2025-11-25") {
    peer.request(1, "initialize", {{"protocolVersion", version}, {"capabilities", json::object()}, {"clientInfo", {{"name", "gtest"}, {"version", "1"}}}});
    auto reply = peer.response(1);
    peer.notify("notifications/initialized");
    return reply ? *reply : json();
  }

  json call(StdioPeer& peer, int id, const std::string& tool, json arguments) {
    peer.request(id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    auto reply = peer.response(id);
    return reply ? *reply : json();
  }

  // `roundtable mcp --listen 127.0.0.1:0 ...`; returns its URL once it printed it.
  std::string start_http(ChildProcess& server) {
    server.start();
    std::smatch match;
    std::regex url(R"(http://127\.0\.0\.1:(\d+)/mcp)");
    std::string out;
    eventually([&] {
      out = server.output();
      return std::regex_search(out, match, url);
    });
    return std::regex_search(out, match, url) ? match.str(0) : "";
  }

  static Fleet* fleet_;
};

Fleet* McpServer::fleet_ = nullptr;

void expect_sdk_run(const json& r, bool progress_expected) {
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["server"]["name"], "roundtable");
  EXPECT_TRUE(r["capabilities"].contains("tools"));
  EXPECT_TRUE(r["capabilities"].contains("resources"));
  ASSERT_EQ(r["tools"].size(), 3u) << r["tools"];
  for (const auto& tool : r["tools"]) {
    EXPECT_TRUE(tool["hasOutputSchema"].get<bool>()) << tool;
    if (tool["name"] != "knights") {
      EXPECT_EQ(tool["required"], json::array({"task"})) << tool;
    }
  }
  // knights: the live roster, with capabilities from the heartbeats.
  json agents = json::array();
  for (const auto& k : r["knights"]["structured"]["knights"]) agents.push_back(k["agent"]);
  EXPECT_EQ(agents, json::array({"galahad", "percival"})) << r["knights"];
  EXPECT_EQ(r["knights"]["structured"]["knights"][0]["domains"], json::array({"security"}));
  EXPECT_TRUE(r["knights"]["structured"]["knights"][0]["capabilities"].is_array());
  // ask by knight: galahad's offline gateway answered, metadata included.
  EXPECT_FALSE(r["askKnight"]["isError"].get<bool>()) << r["askKnight"];
  EXPECT_EQ(r["askKnight"]["structured"]["agent"], "galahad");
  EXPECT_EQ(r["askKnight"]["structured"]["task"], "security.briefing");
  EXPECT_EQ(r["askKnight"]["structured"]["status"], "completed");
  EXPECT_NE(r["askKnight"]["text"].get<std::string>().find("offline answer"), std::string::npos) << r["askKnight"];
  EXPECT_EQ(r["askKnight"]["structured"]["metadata"]["model"], "offline") << r["askKnight"];
  // ask by domain with params: percival's scripted LLM saw them.
  EXPECT_FALSE(r["askDomain"]["isError"].get<bool>()) << r["askDomain"];
  EXPECT_EQ(r["askDomain"]["text"], "percival: the drawbridge is up");
  EXPECT_EQ(r["askDomain"]["structured"]["agent"], "percival");
  // A failed task and an unknown knight are tool results with isError.
  EXPECT_TRUE(r["askFailing"]["isError"].get<bool>());
  EXPECT_EQ(r["askFailing"]["structured"]["status"], "failed");
  EXPECT_EQ(r["askFailing"]["structured"]["error"], "skill_missing");
  EXPECT_NE(r["askFailing"]["text"].get<std::string>().find("no smelting skill"), std::string::npos) << r["askFailing"];
  EXPECT_TRUE(r["askNobody"]["isError"].get<bool>());
  EXPECT_NE(r["askNobody"]["text"].get<std::string>().find("no knight named 'nobody'"), std::string::npos) << r["askNobody"];
  // fanout: one answer per target.
  EXPECT_FALSE(r["fanout"]["isError"].get<bool>()) << r["fanout"];
  EXPECT_EQ(r["fanout"]["structured"]["total"], 2);
  EXPECT_EQ(r["fanout"]["structured"]["completed"], 2);
  EXPECT_TRUE(r["fanout"]["structured"]["ok"].get<bool>());
  EXPECT_NE(r["fanout"]["text"].get<std::string>().find("2 of 2 knights answered"), std::string::npos) << r["fanout"];
  if (progress_expected) {
    EXPECT_FALSE(r["fanout"]["progress"].empty()) << r["fanout"];
  }
  // resources: the roster and the answers of this server's calls.
  EXPECT_EQ(r["templates"], json::array({"roundtable://results/{taskId}"}));
  EXPECT_EQ(r["resources"][0], "roundtable://knights");
  std::string uri = r["askKnight"]["structured"]["resourceUri"];
  EXPECT_NE(std::find(r["resources"].begin(), r["resources"].end(), uri), r["resources"].end()) << r["resources"];
  EXPECT_EQ(r["readResult"]["uri"], uri);
  EXPECT_EQ(r["readResult"]["mimeType"], "application/json");
  EXPECT_EQ(r["readResult"]["doc"]["status"], "completed");
  EXPECT_EQ(r["readResult"]["doc"]["agent"], "galahad");
  EXPECT_EQ(r["readKnights"]["fleet"], "fleet-a");
  EXPECT_EQ(r["missingResource"], -32002);
  EXPECT_EQ(r["unknownMethod"], -32601);
}

TEST_F(McpServer, TheSdkClientOverStdioAsksFansOutListsKnightsAndReadsResults) {
  auto result = run_command({find_program("node"), interop_dir() + "/mcp_client_sdk.mjs", "stdio", roundtable_binary(),
                             json{{"knight", "galahad"}, {"domain", "comms"}, {"failing", "forge"}}.dump()},
                            fleet_->env(), 240s);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto r = result_line(result.output);
  ASSERT_TRUE(r.is_object()) << result.output;
  expect_sdk_run(r, true);
}

TEST_F(McpServer, TheSdkClientOverStreamableHttpWithABearerToken) {
  auto dir = make_temp_dir("rt-mcp-http");
  auto env = fleet_->env();
  env["MCP_TOKEN"] = "s3cret-token";
  ChildProcess server({roundtable_binary(), "mcp", "--listen", "127.0.0.1:0"}, env, dir / "mcp.log");
  auto url = start_http(server);
  ASSERT_FALSE(url.empty()) << server.output();
  auto result = run_command({find_program("node"), interop_dir() + "/mcp_client_sdk.mjs", "http", url,
                             json{{"knight", "galahad"}, {"domain", "comms"}, {"failing", "forge"}}.dump(), "s3cret-token"},
                            {}, 240s);
  ASSERT_EQ(result.exit_code, 0) << result.output << server.output();
  auto r = result_line(result.output);
  ASSERT_TRUE(r.is_object()) << result.output;
  expect_sdk_run(r, true);  // progress comes as an SSE stream
  EXPECT_EQ(r["protocolVersion"], "2025-11-25") << "the SDK's latest revision, negotiated";
  EXPECT_TRUE(r["sessionId"].is_string());
  // Without the token the same client is refused.
  auto refused = run_command({find_program("node"), interop_dir() + "/mcp_client_sdk.mjs", "http", url, json{{"knight", "galahad"}}.dump()},
                             {}, 120s);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.output.find("RESULT"), std::string::npos) << refused.output;
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(20s), std::optional<int>(0)) << server.output();
  std::filesystem::remove_all(dir);
}

// The inspector CLI reads its own package.json relative to the working directory.
CommandResult inspector(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::string command = "cd '" + interop_dir() + "/node_modules/@modelcontextprotocol/inspector-cli/build' && exec '" + find_program("node") +
                        "' ../../../.bin/mcp-inspector-cli --cli";
  for (const auto& a : args) command += " '" + a + "'";
  command += " 2>/dev/null";
  return run_command({"/bin/bash", "-c", command}, env, 120s);
}

TEST_F(McpServer, TheInspectorCliListsToolsAndAsksOverStdioAndHttp) {
  auto list = inspector({roundtable_binary(), "mcp", "--method", "tools/list"}, fleet_->env());
  ASSERT_EQ(list.exit_code, 0) << list.output;
  auto tools = json::parse(list.output, nullptr, false);
  ASSERT_TRUE(tools.is_object()) << list.output;
  ASSERT_EQ(tools["tools"].size(), 3u);
  EXPECT_EQ(tools["tools"][0]["name"], "ask");
  EXPECT_EQ(tools["tools"][0]["inputSchema"]["type"], "object");

  auto ask = inspector({roundtable_binary(), "mcp", "--method", "tools/call", "--tool-name", "ask", "--tool-arg", "knight=percival",
                        "--tool-arg", "task=briefing", "--tool-arg", "deadline=60s"},
                       fleet_->env());
  ASSERT_EQ(ask.exit_code, 0) << ask.output;
  auto answer = json::parse(ask.output, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << ask.output;
  EXPECT_EQ(answer["content"][0]["text"], "percival: all quiet on the comms front");
  EXPECT_EQ(answer["structuredContent"]["agent"], "percival");
  EXPECT_EQ(answer["isError"], false);

  auto dir = make_temp_dir("rt-mcp-inspector");
  ChildProcess server({roundtable_binary(), "mcp", "--listen", "127.0.0.1:0"}, fleet_->env(), dir / "mcp.log");
  auto url = start_http(server);
  ASSERT_FALSE(url.empty()) << server.output();
  auto knights = inspector({url, "--transport", "http", "--method", "tools/call", "--tool-name", "knights"}, {});
  ASSERT_EQ(knights.exit_code, 0) << knights.output << server.output();
  auto roster = json::parse(knights.output, nullptr, false);
  ASSERT_TRUE(roster.is_object()) << knights.output;
  EXPECT_EQ(roster["structuredContent"]["knights"].size(), 2u) << knights.output;
  auto templates = inspector({url, "--transport", "http", "--method", "resources/templates/list"}, {});
  ASSERT_EQ(templates.exit_code, 0) << templates.output;
  EXPECT_NE(templates.output.find("roundtable://results/{taskId}"), std::string::npos) << templates.output;
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait(20s), std::optional<int>(0)) << server.output();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rt::testing
