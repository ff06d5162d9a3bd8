// knight-gateway as an MCP client: the reference servers from npm (server-everything over stdio
// and Streamable HTTP, server-filesystem on a temp dir) reached through the real binary, with a
// scripted LLM that asks for their tools and reads what comes back in the tool loop.
#include <httplib.h>

#include "gateway_mcp_support.hpp"
#include "roundtable/common/time.hpp"

namespace rt::testing {
namespace {

using namespace mcp_support;

std::string stdio_everything(const std::string& extra = "") {
  return "mcp_servers:\n  - name: everything\n    command: [" + kEverything + ", stdio]\n" + extra;
}

TEST_F(GatewayMcp, StdioServerToolsJoinTheSkillsNamespacedAndFilteredByTheAllowList) {
  script_.then(anthropic_text("noted"));
  auto& gw = start(stdio_everything("    tools: [echo, get-sum]\n"));
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "completed") << answer.dump();
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 1u);
  auto names = tool_names(calls[0]);
  EXPECT_TRUE(contains(names, "echo")) << "the knight's own skill stays";
  EXPECT_TRUE(contains(names, "everything__echo"));
  EXPECT_TRUE(contains(names, "everything__get-sum"));
  EXPECT_FALSE(contains(names, "everything__get-env")) << "not on the allow-list";
  EXPECT_FALSE(contains(names, "get-sum")) << "remote tools are namespaced";
  for (const auto& tool : calls[0].json["tools"])
    if (tool["name"] == "everything__get-sum") {
      EXPECT_EQ(tool["input_schema"]["properties"]["a"]["type"], "number") << tool.dump();
      EXPECT_NE(tool["description"].get<std::string>().find("sum"), std::string::npos);
    }
}

TEST_F(GatewayMcp, EchoAndSumOverStdioComeBackInTheToolLoop) {
  script_.then(anthropic_tool_use("everything__echo", {{"message", "hello knights"}}, "toolu_echo"));
  script_.then(anthropic_tool_use("everything__get-sum", {{"a", 2}, {"b", 3}}, "toolu_sum"));
  script_.then(anthropic_text("2 and 3 make 5"));
  auto& gw = start(stdio_everything());
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["content"], "2 and 3 make 5") << answer.dump();
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 3u);
  auto results = tool_results(calls);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["tool_use_id"], "toolu_echo");
  EXPECT_EQ(results[0]["content"], "Echo: hello knights");
  EXPECT_EQ(results[0]["is_error"], false);
  EXPECT_EQ(results[1]["tool_use_id"], "toolu_sum");
  EXPECT_EQ(results[1]["content"], "The sum of 2 and 3 is 5.");
  EXPECT_EQ(results[1]["is_error"], false);
  httplib::Client probe("127.0.0.1", gw.port());
  auto metrics = probe.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("roundtable_gateway_tool_calls_total{"), std::string::npos);
  EXPECT_NE(metrics->body.find(R"(tool="everything__get-sum")"), std::string::npos) << "counted like a skill";
}

TEST_F(GatewayMcp, FilesystemServerReadsAndListsATempDirAndItsRefusalIsAToolError) {
  fs::path data = scratch_ / "data";
  fs::create_directories(data);
  std::ofstream(data / "orders.txt") << "hold the bridge at dawn\n";
  script_.then(anthropic_tool_use("files__read_text_file", {{"path", (data / "orders.txt").string()}}, "toolu_read"));
  script_.then(anthropic_tool_use("files__list_directory", {{"path", data.string()}}, "toolu_list"));
  script_.then(anthropic_tool_use("files__read_text_file", {{"path", "/etc/passwd"}}, "toolu_outside"));
  script_.then(anthropic_text("read"));
  auto& gw = start("mcp_servers:\n  - name: files\n    command: [" + kFilesystem + ", " + data.string() + "]\n");
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["content"], "read") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["content"], "hold the bridge at dawn\n");
  EXPECT_EQ(results[0]["is_error"], false);
  EXPECT_EQ(results[1]["content"], "[FILE] orders.txt");
  EXPECT_EQ(results[2]["is_error"], true) << "isError comes back as a tool error";
  EXPECT_NE(results[2]["content"].get<std::string>().find("Access denied"), std::string::npos) << results[2].dump();
}

TEST_F(GatewayMcp, StreamableHttpServerAnswersWithItsSessionAndTheBearerStaysSecret) {
  std::string url = start_http_everything();
  script_.then(anthropic_tool_use("web__echo", {{"message", "over http"}}, "toolu_1"));
  script_.then(anthropic_tool_use("web__get-structured-content", {{"location", "Chicago"}}, "toolu_2"));
  script_.then(anthropic_text("done"));
  auto& gw = start("mcp_servers:\n  - name: web\n    url: " + url + "\n    bearer_env: MCP_WEB_TOKEN\n    timeout: 20s\n",
                   {{"MCP_WEB_TOKEN", "very-secret-mcp-token"}});
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["content"], "done") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["content"], "Echo: over http");
  json weather = json::parse(results[1]["content"].get<std::string>(), nullptr, false);
  EXPECT_EQ(weather["conditions"], "Light rain / drizzle") << results[1].dump();
  EXPECT_EQ(gw.output().find("very-secret-mcp-token"), std::string::npos) << "the bearer token is never logged";
}

TEST_F(GatewayMcp, HttpServerThatForgotTheSessionIsInitializedAgain) {
  std::string url = start_http_everything();
  script_.then(anthropic_tool_use("web__echo", {{"message", "first"}}));
  script_.then(anthropic_text("one"));
  auto& gw = start("mcp_servers:\n  - name: web\n    url: " + url + "\n");
  ASSERT_EQ(gw.task().second["result"]["content"], "one");
  // A new server process on the same port knows nothing of the gateway's session.
  http_server_->stop();
  start_http_everything(http_port_);
  script_.then(anthropic_tool_use("web__echo", {{"message", "second"}}));
  script_.then(anthropic_text("two"));
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "two") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "Echo: second");
  EXPECT_EQ(results[0]["is_error"], false);
}

TEST_F(GatewayMcp, HttpServerThatIsGoneOrSlowIsAToolError) {
  std::string url = start_http_everything();
  script_.then(anthropic_tool_use("web__trigger-long-running-operation", {{"duration", 300}, {"steps", 1}}, "toolu_slow"));
  script_.then(anthropic_text("too slow"));
  auto& gw = start("mcp_servers:\n  - name: web\n    url: " + url + "\n    timeout: 2s\n");
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "too slow") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(results[0]["content"].get<std::string>().find("did not answer"), std::string::npos) << results[0].dump();

  http_server_->stop();
  script_.then(anthropic_tool_use("web__echo", {{"message", "anyone?"}}, "toolu_gone"));
  script_.then(anthropic_text("nobody home"));
  auto [status2, answer2] = gw.task();
  EXPECT_EQ(answer2["result"]["content"], "nobody home") << answer2.dump();
  results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(results[0]["content"].get<std::string>().find("cannot reach"), std::string::npos) << results[0].dump();
}

TEST_F(GatewayMcp, DeadStdioServerIsRestartedOnItsNextUse) {
  auto& gw = start(stdio_everything());
  auto servers = children_running(gw.process().pid(), "mcp-server-everything");
  ASSERT_EQ(servers.size(), 1u) << "started once, at start-up";
  ::kill(servers[0], SIGKILL);
  // The gateway notices and reaps it (no zombie left).
  ASSERT_TRUE(eventually([&] { return !fs::exists("/proc/" + std::to_string(servers[0])); })) << "reaped";
  script_.then(anthropic_tool_use("everything__echo", {{"message", "still here"}}));
  script_.then(anthropic_text("back"));
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "back") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "Echo: still here");
  auto restarted = children_running(gw.process().pid(), "mcp-server-everything");
  ASSERT_EQ(restarted.size(), 1u);
  EXPECT_NE(restarted[0], servers[0]);
}

TEST_F(GatewayMcp, ServerSlowerThanItsTimeoutIsAToolErrorAndTheTaskGoesOn) {
  script_.then(anthropic_tool_use("everything__trigger-long-running-operation", {{"duration", 300}, {"steps", 1}}));
  script_.then(anthropic_text("it timed out, moving on"));
  auto& gw = start(stdio_everything("    timeout: 2s\n"));
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200) << "answered, not hung";
  EXPECT_EQ(answer["result"]["content"], "it timed out, moving on") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(results[0]["content"].get<std::string>().find("did not answer"), std::string::npos) << results[0].dump();
  EXPECT_NE(results[0]["content"].get<std::string>().find("2000ms"), std::string::npos) << results[0].dump();
}

TEST_F(GatewayMcp, ServerSlowerThanTheTaskDeadlineEndsTheTaskByItsDeadline) {
  script_.then(anthropic_tool_use("everything__trigger-long-running-operation", {{"duration", 300}, {"steps", 1}}));
  auto& gw = start(stdio_everything("    timeout: 10m\n"));
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(6);
  auto [status, answer] = gw.task("security.briefing", json::object(), {{"X-Roundtable-Deadline", format_rfc3339(deadline)}});
  ASSERT_EQ(status, 200) << "answered, not hung until the operation's 300 s";
  EXPECT_EQ(answer["status"], "failed") << answer.dump();
  EXPECT_EQ(answer["error"], "timeout") << answer.dump();
  EXPECT_NE(gw.output().find("\"mcp.called\""), std::string::npos);
}

TEST_F(GatewayMcp, ServerThatCannotStartLeavesTheKnightWorkingWithoutItsTools) {
  script_.then(anthropic_text("fine without it"));
  auto& gw = start("mcp_servers:\n  - name: ghost\n    command: [/nonexistent/mcp-server]\n");
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "fine without it") << answer.dump();
  auto names = tool_names(llm_.calls()[0]);
  EXPECT_TRUE(contains(names, "echo"));
  EXPECT_TRUE(std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.rfind("ghost__", 0) == 0; }));
  EXPECT_NE(gw.output().find("mcp.start_failed"), std::string::npos);
}

}  // namespace
}  // namespace rt::testing
