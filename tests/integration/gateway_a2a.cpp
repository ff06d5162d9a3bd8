// The gateway's A2A front-end, driven by the official A2A JavaScript SDK client
// (tests/interop/a2a_client.mjs) and by raw JSON-RPC for cancellation and hostile input, with
// the real knight-gateway binary (knight and lead roles) and a scripted LLM.
#include <gtest/gtest.h>

#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kToken = "a2a-test-token";

std::string find_node() {
  const char* path = std::getenv("PATH");
  for (const auto& dir : {std::string(path ? path : ""), std::string("/usr/bin:/usr/local/bin")}) {
    size_t start = 0;
    while (start <= dir.size()) {
      size_t end = dir.find(':', start);
      if (end == std::string::npos) end = dir.size();
      fs::path candidate = fs::path(dir.substr(start, end - start)) / "node";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      start = end + 1;
    }
  }
  return "";
}

std::string last_user_text(const GatewayCall& call) {
  const json& messages = call.json["messages"];
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if ((*it)["role"] == "user" && (*it)["content"][0].contains("text")) return (*it)["content"][0]["text"];
  return "";
}

class GatewayA2a : public ::testing::Test {
 protected:
  void SetUp() override {
    script_.otherwise([](const GatewayCall& call) { return anthropic_text("answer to: " + last_user_text(call)); });
  }
  GatewayProcess& start(TempWorkspace& ws, std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> base{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                            {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"GATEWAY_TOKEN", kToken}};
    for (auto& [k, v] : env) base[k] = v;
    gateways_.push_back(std::make_unique<GatewayProcess>(ws.dir(), base));
    gateways_.back()->start();
    EXPECT_TRUE(gateways_.back()->wait_ready()) << gateways_.back()->output();
    return *gateways_.back();
  }
  // The official client's run against `gw`: its JSON report.
  json run_client(GatewayProcess& gw) {
    std::string node = find_node();
    if (node.empty() || !fs::exists(std::string(RT_SOURCE_DIR) + "/tests/interop/node_modules/@a2a-js/sdk"))
      ADD_FAILURE() << "node and tests/interop/node_modules (make deps) are needed";
    auto result = run_command({node, std::string(RT_SOURCE_DIR) + "/tests/interop/a2a_client.mjs"},
                              {{"A2A_URL", gw.url()}, {"A2A_TOKEN", kToken}}, std::chrono::seconds(120));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    auto start = result.output.rfind("\n{");
    auto report = json::parse(start == std::string::npos ? result.output : result.output.substr(start + 1), nullptr, false);
    EXPECT_TRUE(report.is_object()) << result.output;
    return report;
  }
  // One JSON-RPC call on /a2a; the HTTP status and the parsed body.
  std::pair<int, json> rpc(GatewayProcess& gw, const json& body, std::map<std::string, std::string> headers = {}) {
    headers.emplace("Authorization", "Bearer " + kToken);
    auto [status, text] = gw.post("/a2a", body.dump(), headers);
    return {status, json::parse(text, nullptr, false)};
  }
  static json call(const std::string& method, json params) {
    return {{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", std::move(params)}};
  }
  static json send(const std::string& text, json configuration = json::object()) {
    return call("SendMessage", {{"message", {{"messageId", "m-1"}, {"role", "ROLE_USER"}, {"parts", json::array({{{"text", text}}})}}},
                                {"configuration", std::move(configuration)}});
  }
  void TearDown() override {
    if (HasFailure())
      for (auto& g : gateways_) std::cerr << "---- gateway log ----\n" << g->output().substr(0, 20000) << "\n";
  }

  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
};

TEST_F(GatewayA2a, KnightAnswersTheOfficialClientThroughCardSendGetStreamAndPoll) {
  TempWorkspace ws;
  ws.write("SOUL.md", "---\ndescription: Keeper of the test bench, answers security questions\n---\n" + ws.read("SOUL.md"));
  auto& gw = start(ws);
  json report = run_client(gw);
  ASSERT_TRUE(report.is_object());

  const json& card = report["card"];
  EXPECT_EQ(card["name"], "testknight");
  EXPECT_EQ(card["description"], "Keeper of the test bench, answers security questions") << "SOUL.md front matter";
  EXPECT_EQ(card["interfaces"], json::array({{{"url", gw.url() + "/a2a"}, {"binding", "JSONRPC"}, {"version", "1.0"}}}));
  EXPECT_EQ(card["protocolVersion"], "1.0") << "the client chose the 1.0 JSON-RPC transport";
  EXPECT_TRUE(card["streaming"]);
  ASSERT_EQ(card["skills"].size(), 1u);
  EXPECT_EQ(card["skills"][0]["id"], "security.briefing");
  EXPECT_EQ(card["skills"][0]["tags"], json::array({"security", "briefing"}));
  EXPECT_EQ(card["securitySchemes"], json::array({"bearer"}));

  const json& blocking = report["blocking"];
  EXPECT_EQ(blocking["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(blocking["answer"], "answer to: first question");
  ASSERT_EQ(blocking["history"].size(), 2u);
  EXPECT_EQ(blocking["history"][0], json({{"role", "ROLE_USER"}, {"text", "first question"}}));
  EXPECT_EQ(blocking["wire"]["artifacts"][0]["parts"][0]["mediaType"], "text/markdown");
  EXPECT_EQ(blocking["wire"]["metadata"]["inputTokens"], 100) << "usage travels in the task's metadata";

  EXPECT_EQ(report["get"]["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(report["get"]["history"], json::array({{{"role", "ROLE_AGENT"}, {"text", "answer to: first question"}}})) << "historyLength 1";

  EXPECT_EQ(report["second"]["answer"], "answer to: second question");
  EXPECT_EQ(report["second"]["contextId"], blocking["contextId"]);

  const json& events = report["stream"]["events"];
  ASSERT_GE(events.size(), 4u) << events.dump();
  EXPECT_EQ(events.front()["kind"], "task");
  EXPECT_EQ(events[1], json({{"kind", "status"}, {"state", "TASK_STATE_WORKING"}, {"text", ""}}));
  EXPECT_EQ(events[events.size() - 2], json({{"kind", "artifact"}, {"text", "answer to: streamed question"}, {"lastChunk", true}}));
  EXPECT_EQ(events.back()["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(report["stream"]["after"]["answer"], "answer to: streamed question");

  EXPECT_TRUE(report["background"]["first"] == "TASK_STATE_SUBMITTED" || report["background"]["first"] == "TASK_STATE_WORKING")
      << report["background"]["first"];
  EXPECT_EQ(report["background"]["final"]["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(report["background"]["final"]["answer"], "answer to: background question");

  EXPECT_EQ(report["errors"]["cancelFinished"]["name"], "TaskNotCancelableError");
  EXPECT_EQ(report["errors"]["cancelFinished"]["code"], -32002);
  EXPECT_EQ(report["errors"]["getUnknown"]["name"], "TaskNotFoundError");
  EXPECT_EQ(report["errors"]["getUnknown"]["code"], -32001);

  // One agent loop: the second turn carried the first exchange; SOUL's front matter stayed out
  // of the prompt; the tasks are counted like any other.
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 4u);
  const json* second = nullptr;
  for (const auto& c : calls)
    if (last_user_text(c) == "second question") second = &c.json;
  ASSERT_NE(second, nullptr);
  ASSERT_EQ((*second)["messages"].size(), 3u);
  EXPECT_EQ((*second)["messages"][0]["content"][0]["text"], "first question");
  EXPECT_EQ((*second)["messages"][1]["content"][0]["text"], "answer to: first question");
  std::string system = calls[0].json["system"][0]["text"];
  EXPECT_NE(system.find("Sir Testalot"), std::string::npos);
  EXPECT_EQ(system.find("Keeper of the test bench"), std::string::npos) << "front matter in the prompt";
  httplib::Client metrics("127.0.0.1", gw.port());
  auto scraped = metrics.Get("/metrics", {{"Authorization", "Bearer " + kToken}});
  ASSERT_TRUE(scraped);
  EXPECT_NE(scraped->body.find("roundtable_gateway_tasks_total{outcome=\"completed\"} 4"), std::string::npos) << scraped->body;
  EXPECT_NE(scraped->body.find("endpoint=\"/a2a\""), std::string::npos);
}

TEST_F(GatewayA2a, LeadServesItsCardAndAnswersTheOfficialClient) {
  NatsServer nats;
  TempWorkspace ws("lead");
  ws.write("knight.yaml", ws.read("knight.yaml") + "description: Tim, who asks the knights and answers for them\n"
                                                   "capabilities: [lead.briefing]\n");
  auto& gw = start(ws, {{"NATS_URL", nats.url()}});
  json report = run_client(gw);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["card"]["name"], "tim");
  EXPECT_EQ(report["card"]["description"], "Tim, who asks the knights and answers for them") << "knight.yaml description";
  ASSERT_EQ(report["card"]["skills"].size(), 1u);
  EXPECT_EQ(report["card"]["skills"][0]["id"], "lead.briefing");
  EXPECT_NE(report["card"]["skills"][0]["description"].get<std::string>().find("knights"), std::string::npos);
  EXPECT_EQ(report["blocking"]["answer"], "answer to: first question");
  EXPECT_EQ(report["stream"]["events"].back()["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(report["background"]["final"]["answer"], "answer to: background question");
  auto calls = llm_.calls();
  ASSERT_FALSE(calls.empty());
  bool delegate_offered = false;
  for (const auto& tool : calls[0].json["tools"]) delegate_offered |= tool["name"] == "delegate";
  EXPECT_TRUE(delegate_offered) << "the lead's own loop, with its delegate tool";
}

TEST_F(GatewayA2a, CancelStopsARunningTaskAndDiscardsItsAnswer) {
  Gate gate;
  script_.otherwise([&gate](const GatewayCall&) {
    gate.wait();
    return anthropic_tool_use("echo", {{"text", "more"}});  // would lead to a second model call
  });
  TempWorkspace ws;
  auto& gw = start(ws);
  auto [status, sent] = rpc(gw, send("take your time", {{"returnImmediately", true}}));
  ASSERT_EQ(status, 200) << sent;
  std::string id = sent["result"]["task"]["id"];
  ASSERT_TRUE(llm_.wait_for_started(1));
  auto [cancel_status, canceled] = rpc(gw, call("CancelTask", {{"id", id}}));
  EXPECT_EQ(cancel_status, 200);
  EXPECT_EQ(canceled["result"]["status"]["state"], "TASK_STATE_CANCELED") << canceled;
  gate.open();
  ASSERT_TRUE(eventually([&] { return gw.output().find("\"a2a.task_finished\"") != std::string::npos; })) << "the run ended";
  EXPECT_EQ(llm_.call_count(), 1u) << "no model call after the cancel";
  auto [get_status, task] = rpc(gw, call("GetTask", {{"id", id}}));
  EXPECT_EQ(task["result"]["status"]["state"], "TASK_STATE_CANCELED");
  EXPECT_FALSE(task["result"].contains("artifacts")) << "the answer of a canceled task is discarded";
  auto [again_status, again] = rpc(gw, call("CancelTask", {{"id", id}}));
  EXPECT_EQ(again["error"]["code"], -32002) << again;
}

TEST_F(GatewayA2a, SubscribeToTaskFollowsARunningTaskToItsEnd) {
  Gate gate;
  script_.otherwise([&gate](const GatewayCall& call) {
    gate.wait();
    return anthropic_text("answer to: " + last_user_text(call));
  });
  TempWorkspace ws;
  auto& gw = start(ws);
  auto [status, sent] = rpc(gw, send("watch me", {{"returnImmediately", true}}));
  ASSERT_EQ(status, 200) << sent;
  std::string id = sent["result"]["task"]["id"];
  ASSERT_TRUE(llm_.wait_for_started(1));
  std::string stream;
  std::atomic<bool> first_event{false};
  httplib::Client client("127.0.0.1", gw.port());
  client.set_read_timeout(60, 0);
  httplib::Request req;
  req.method = "POST";
  req.path = "/a2a";
  req.headers = {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}};
  req.body = call("SubscribeToTask", {{"id", id}}).dump();
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    stream.append(data, size);
    if (!first_event.exchange(true)) gate.open();  // the task finishes only once we listen
    return true;
  };
  auto res = client.send(req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(stream.find("\"task\":{"), std::string::npos) << stream;
  EXPECT_NE(stream.find("answer to: watch me"), std::string::npos) << stream;
  EXPECT_NE(stream.rfind("TASK_STATE_COMPLETED"), std::string::npos) << stream;
  auto [finished_status, finished] = rpc(gw, call("SubscribeToTask", {{"id", id}}));
  EXPECT_EQ(finished["error"]["code"], -32004) << "a finished task has nothing to follow";
}

TEST_F(GatewayA2a, HostileInputGetsJsonRpcErrorsAndTheGatewayKeepsServing) {
  TempWorkspace ws;
  auto& gw = start(ws);
  httplib::Client client("127.0.0.1", gw.port());
  auto card = client.Get("/.well-known/agent-card.json");
  ASSERT_TRUE(card);
  EXPECT_EQ(card->status, 200) << "the card is public";
  EXPECT_EQ(json::parse(card->body)["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"], "Bearer");

  auto [no_token, unauthorized] = gw.post("/a2a", send("hi").dump());
  EXPECT_EQ(no_token, 401) << unauthorized;

  auto code_of = [&](const std::string& body, std::map<std::string, std::string> headers = {}) {
    headers.emplace("Authorization", "Bearer " + kToken);
    auto [status, text] = gw.post("/a2a", body, headers);
    auto parsed = json::parse(text, nullptr, false);
    EXPECT_EQ(status, 200) << body.substr(0, 200) << " -> " << text;
    return parsed.is_object() && parsed.contains("error") ? parsed["error"]["code"].get<int>() : 0;
  };
  auto message_of = [&](const json& body) {
    auto [status, reply] = rpc(gw, body);
    return reply.is_object() && reply.contains("error") ? reply["error"]["message"].get<std::string>() : reply.dump();
  };
  EXPECT_EQ(code_of("not json"), -32700);
  EXPECT_EQ(code_of(std::string(200000, '[')), -32700) << "nesting is bounded before parsing";
  EXPECT_EQ(code_of(R"({"jsonrpc":"1.0","id":1,"method":"GetTask"})"), -32600);
  EXPECT_EQ(code_of(call("Nope", json::object()).dump()), -32601);
  EXPECT_EQ(code_of(call("message/send", json::object()).dump()), -32009) << "0.3 method names are named as such";
  EXPECT_EQ(code_of(send("hi").dump(), {{"A2A-Version", "0.3"}}), -32009);
  EXPECT_EQ(code_of(call("CreateTaskPushNotificationConfig", json::object()).dump()), -32003);
  EXPECT_EQ(code_of(call("GetExtendedAgentCard", json::object()).dump()), -32007);
  EXPECT_EQ(code_of(call("SendMessage", json::array()).dump()), -32602);
  EXPECT_EQ(code_of(call("GetTask", json::object()).dump()), -32602);
  EXPECT_EQ(code_of(call("GetTask", {{"id", 42}}).dump()), -32602);
  EXPECT_EQ(code_of(call("GetTask", {{"id", "x"}, {"historyLength", -1}}).dump()), -32602);
  EXPECT_EQ(code_of(call("CancelTask", {{"id", "no-such-task"}}).dump()), -32001);

  json bad_id = send("hi");
  bad_id["params"]["message"]["messageId"] = 5;
  EXPECT_EQ(message_of(bad_id), "message.messageId must be a string");
  json bad_part = send("hi");
  bad_part["params"]["message"]["parts"][0]["text"] = json::array({1});
  EXPECT_EQ(message_of(bad_part), "message.parts[0].text must be a string");
  json no_parts = send("hi");
  no_parts["params"]["message"]["parts"] = json::array();
  EXPECT_EQ(message_of(no_parts), "message.parts must be a non-empty array");
  json bad_config = send("hi", {{"returnImmediately", "yes"}});
  EXPECT_EQ(message_of(bad_config), "configuration.returnImmediately must be a boolean");
  json file_part = send("hi");
  file_part["params"]["message"]["parts"] = json::array({{{"url", "file:///etc/passwd"}}});
  EXPECT_EQ(code_of(file_part.dump()), -32005);
  json images_only = send("hi", {{"acceptedOutputModes", json::array({"image/png"})}});
  EXPECT_EQ(code_of(images_only.dump()), -32005);
  json unknown_task = send("hi");
  unknown_task["params"]["message"]["taskId"] = "not-a-task";
  EXPECT_EQ(code_of(unknown_task.dump()), -32001);

  auto [too_big, ignored] = gw.post("/a2a", std::string(2 << 20, ' '), {{"Authorization", "Bearer " + kToken}});
  EXPECT_EQ(too_big, 413);
  EXPECT_EQ(llm_.call_count(), 0u) << "nothing hostile reached the model";

  auto [status, answered] = rpc(gw, send("still there?"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(answered["result"]["task"]["status"]["state"], "TASK_STATE_COMPLETED") << answered;
  EXPECT_TRUE(gw.process().running());
}

}  // namespace
}  // namespace rt::testing
