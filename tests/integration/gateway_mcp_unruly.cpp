// knight-gateway as an MCP client of a server that misbehaves (tests/interop/
// mcp_client_unruly_server.mjs, built on the official SDK): changed tool lists, garbage and
// huge lines on stdout, an exit mid-call, a server that never answers. Each is a tool error
// the model reads, or nothing at all; never a hung task or a dead gateway.
#include "gateway_mcp_support.hpp"

namespace rt::testing {
namespace {

using namespace mcp_support;

const std::string kUnruly = std::string(RT_SOURCE_DIR) + "/tests/interop/mcp_client_unruly_server.mjs";

std::string unruly(const std::string& mode = "", const std::string& extra = "") {
  return "mcp_servers:\n  - name: unruly\n    command: [node, " + kUnruly + (mode.empty() ? "" : ", " + mode) + "]\n" + extra;
}

TEST_F(GatewayMcp, ListChangedNotificationBringsTheNewToolToTheNextTask) {
  script_.then(anthropic_tool_use("unruly__unlock", json::object()));
  script_.then(anthropic_text("unlocked it"));
  auto& gw = start(unruly());
  EXPECT_EQ(gw.task().second["result"]["content"], "unlocked it");
  EXPECT_FALSE(contains(tool_names(llm_.calls()[0]), "unruly__vault"));
  // The server sent notifications/tools/list_changed; the gateway lists its tools again.
  ASSERT_TRUE(eventually([&] { return gw.output().find("\"unruly__vault\"") != std::string::npos; })) << gw.output();
  script_.then(anthropic_tool_use("unruly__vault", json::object()));
  script_.then(anthropic_text("opened"));
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "opened") << answer.dump();
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(contains(tool_names(calls[2]), "unruly__vault"));
  auto results = tool_results(calls);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "the vault is open");
}

TEST_F(GatewayMcp, OverHttpListChangedComesOnTheEventStreamAndServerRequestsAreAnswered) {
  int port = free_port();
  ChildProcess server({"/usr/bin/env", "node", kUnruly, "http", std::to_string(port)}, {}, scratch_ / "unruly-http.log");
  server.start();
  ASSERT_TRUE(wait_for_port(port, std::chrono::seconds(60))) << server.output();
  script_.then(anthropic_tool_use("web__unlock", json::object(), "toolu_unlock"));
  script_.then(anthropic_tool_use("web__ask_back", json::object(), "toolu_ask"));
  script_.then(anthropic_text("unlocked it"));
  auto& gw = start("mcp_servers:\n  - name: web\n    url: http://127.0.0.1:" + std::to_string(port) + "/mcp\n");
  EXPECT_EQ(gw.task().second["result"]["content"], "unlocked it");
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1]["content"], "pinged; sampling refused with -32601") << "asked inside the call's event stream";
  // notifications/tools/list_changed, sent on the session's GET event stream.
  ASSERT_TRUE(eventually([&] { return gw.output().find("\"web__vault\"") != std::string::npos; })) << gw.output();
  script_.then(anthropic_tool_use("web__vault", json::object()));
  script_.then(anthropic_text("opened"));
  EXPECT_EQ(gw.task().second["result"]["content"], "opened");
  results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "the vault is open");
}

TEST_F(GatewayMcp, GarbageDeepJsonAndStrayAnswersBetweenMessagesAreIgnored) {
  script_.then(anthropic_tool_use("unruly__noise", json::object()));
  script_.then(anthropic_text("heard"));
  auto& gw = start(unruly());
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "heard") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "after the noise");
  EXPECT_EQ(results[0]["is_error"], false);
  EXPECT_NE(gw.output().find("mcp.bad_output"), std::string::npos);
}

TEST_F(GatewayMcp, OneHugeLineFailsTheCallWaitingAndTheServerKeepsWorking) {
  script_.then(anthropic_tool_use("unruly__flood", json::object(), "toolu_flood"));
  script_.then(anthropic_tool_use("unruly__pid", json::object(), "toolu_pid"));
  script_.then(anthropic_text("survived"));
  auto& gw = start(unruly());
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "survived") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(results[0]["content"].get<std::string>().find("over 8388608 bytes"), std::string::npos) << results[0].dump();
  EXPECT_EQ(results[1]["is_error"], false) << results[1].dump();
}

TEST_F(GatewayMcp, OutputPastSkillOutputBytesIsCutAndMarked) {
  script_.then(anthropic_tool_use("unruly__big", json::object()));
  script_.then(anthropic_text("skimmed"));
  auto& gw = start(unruly(), {{"SKILL_OUTPUT_BYTES", "4096"}});
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "skimmed") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  std::string content = results[0]["content"];
  EXPECT_EQ(content, std::string(4096, 'b') + "\n[output truncated]");
}

TEST_F(GatewayMcp, ServerExitingMidCallIsAToolErrorAndIsStartedAgainForTheNextCall) {
  script_.then(anthropic_tool_use("unruly__die", json::object(), "toolu_die"));
  script_.then(anthropic_tool_use("unruly__pid", json::object(), "toolu_pid"));
  script_.then(anthropic_text("carried on"));
  auto& gw = start(unruly());
  auto first = children_running(gw.process().pid(), "mcp_client_unruly_server");
  ASSERT_EQ(first.size(), 1u);
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "carried on") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(results[0]["content"].get<std::string>().find("exited with code 3"), std::string::npos) << results[0].dump();
  EXPECT_EQ(results[1]["is_error"], false) << results[1].dump();
  EXPECT_NE(results[1]["content"], std::to_string(first[0])) << "a new process";
}

TEST_F(GatewayMcp, RequestsFromTheServerMidCallAreAnswered) {
  script_.then(anthropic_tool_use("unruly__ask_back", json::object()));
  script_.then(anthropic_text("answered"));
  auto& gw = start(unruly());
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "answered") << answer.dump();
  auto results = tool_results(llm_.calls());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["content"], "pinged; sampling refused with -32601") << "ping answered, sampling declined";
}

TEST_F(GatewayMcp, ServerThatNeverAnswersHoldsUpNeitherStartNorTasks) {
  script_.then(anthropic_tool_use("mute__anything", json::object()));
  script_.then(anthropic_text("went without"));
  auto& gw = start("mcp_servers:\n  - name: mute\n    command: [node, " + kUnruly + ", mute]\n    timeout: 1s\n");
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "went without") << answer.dump();
  auto calls = llm_.calls();
  auto names = tool_names(calls[0]);
  EXPECT_TRUE(std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.rfind("mute__", 0) == 0; }));
  auto results = tool_results(calls);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["is_error"], true);
  EXPECT_NE(gw.output().find("mcp.list_failed"), std::string::npos);
}

}  // namespace
}  // namespace rt::testing
