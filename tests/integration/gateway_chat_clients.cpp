// The gateway's OpenAI-compatible face as chat front-ends use it: the official `openai` npm SDK
// (tests/interop/openai_chat.mjs) against the real knight-gateway binary and a scripted LLM;
// GET /v1/models on the wire; and the listening line and port file of a gateway (and of a
// bridge's health port) started on port 0.
#include <gtest/gtest.h>

#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kToken = "chat-test-token";
const std::string kModel = "fleet-a/testknight";
const std::string kLong(700, 'x');

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

// The scripted model: JSON when asked for JSON, a long answer for a long report, else an echo.
GatewayReply scripted_answer(const GatewayCall& call) {
  std::string asked = last_user_text(call);
  if (asked == "json please") return anthropic_text(R"({"walls":"quiet","gates":2})");
  if (asked == "a long report please") return anthropic_text("report: " + kLong + " é€ end");
  return anthropic_text("answer to: " + asked);
}

class GatewayChatClients : public ::testing::Test {
 protected:
  void SetUp() override { script_.otherwise(scripted_answer); }
  GatewayProcess& start(std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> base{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                            {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"GATEWAY_TOKEN", kToken}};
    for (auto& [k, v] : env) base[k] = v;
    gateway_ = std::make_unique<GatewayProcess>(ws_.dir(), base);
    gateway_->start();
    EXPECT_TRUE(gateway_->wait_ready()) << gateway_->output();
    return *gateway_;
  }
  void TearDown() override {
    if (HasFailure() && gateway_) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 10000) << "\n";
  }

  TempWorkspace ws_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(GatewayChatClients, TheOfficialOpenAiSdkListsTheKnightChatsAndStreamsWithUsage) {
  auto& gw = start();
  std::string node = find_node();
  ASSERT_FALSE(node.empty()) << "node is needed (make deps)";
  ASSERT_TRUE(fs::exists(std::string(RT_SOURCE_DIR) + "/tests/interop/node_modules/openai")) << "make deps installs tests/interop";
  auto result = run_command({node, std::string(RT_SOURCE_DIR) + "/tests/interop/openai_chat.mjs"},
                            {{"OPENAI_BASE_URL", gw.url() + "/v1"}, {"OPENAI_API_KEY", kToken}}, std::chrono::seconds(120));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto start = result.output.rfind("\n{");
  json report = json::parse(start == std::string::npos ? result.output : result.output.substr(start + 1), nullptr, false);
  ASSERT_TRUE(report.is_object()) << result.output;

  ASSERT_EQ(report["models"].size(), 1u) << report["models"];
  EXPECT_EQ(report["models"][0]["id"], kModel);
  EXPECT_EQ(report["models"][0]["object"], "model");
  EXPECT_EQ(report["models"][0]["owned_by"], "roundtable");
  EXPECT_EQ(report["models"][0]["roundtable"]["model"], "test-model") << "the LLM behind the knight";
  EXPECT_EQ(report["retrieved"]["id"], kModel);
  EXPECT_EQ(report["retrieveUnknown"]["status"], 404);
  EXPECT_EQ(report["retrieveUnknown"]["code"], "model_not_found");

  const json& completion = report["completion"];
  EXPECT_EQ(completion["object"], "chat.completion");
  EXPECT_EQ(completion["model"], kModel);
  EXPECT_EQ(completion["role"], "assistant");
  EXPECT_EQ(completion["content"], "answer to: status of the walls?");
  EXPECT_EQ(completion["finishReason"], "stop");
  EXPECT_EQ(completion["usage"]["prompt_tokens"], 100);
  EXPECT_EQ(completion["usage"]["completion_tokens"], 20);
  EXPECT_EQ(completion["usage"]["total_tokens"], 120);

  const json& stream = report["stream"];
  EXPECT_EQ(stream["text"], "report: " + kLong + " é€ end") << "every piece arrives, in order, UTF-8 intact";
  EXPECT_GE(stream["chunks"], 5) << "role, several content pieces, finish, usage";
  EXPECT_EQ(stream["lastChoices"], json::array()) << "the usage chunk has choices: [] as OpenAI sends it";
  EXPECT_EQ(stream["lastUsage"]["total_tokens"], 120);
  EXPECT_EQ(stream["usageOnlyInLast"], true);
  EXPECT_EQ(stream["finishReasons"], json::array({"stop"}));
  EXPECT_EQ(stream["ids"], 1) << "one id for every chunk of an answer";
  EXPECT_EQ(stream["model"], kModel);

  const json& helper = report["helper"];
  EXPECT_EQ(helper["eventText"], "answer to: helper question");
  EXPECT_EQ(helper["finalContent"], "answer to: helper question");
  EXPECT_EQ(helper["finalContentFromHelper"], "answer to: helper question");
  EXPECT_EQ(helper["finalRole"], "assistant");
  EXPECT_EQ(helper["finishReason"], "stop");
  EXPECT_EQ(helper["usage"]["total_tokens"], 120);
  EXPECT_EQ(helper["lastChunkChoices"], json::array());

  EXPECT_EQ(report["json"]["parsed"], json({{"walls", "quiet"}, {"gates", 2}})) << report["json"];
  EXPECT_EQ(report["otherModel"]["model"], kModel) << "another name is answered by this knight, and says so";
  EXPECT_EQ(report["otherModel"]["content"], "answer to: who answers?");
  EXPECT_EQ(report["wrongKey"]["status"], 401);
  EXPECT_EQ(report["wrongKey"]["name"], "AuthenticationError");
  EXPECT_EQ(report["badRequest"]["status"], 400);
  EXPECT_EQ(report["badRequest"]["name"], "BadRequestError");

  // JSON mode reached the model as an instruction.
  bool json_asked = false;
  for (const auto& call : llm_.calls())
    if (last_user_text(call) == "json please")
      json_asked = call.json["system"].dump().find("exactly one JSON value") != std::string::npos;
  EXPECT_TRUE(json_asked);
}

TEST_F(GatewayChatClients, ModelsNeedTheTokenAndAreCountedUnderTheirRoute) {
  auto& gw = start();
  httplib::Client client("127.0.0.1", gw.port());
  auto anonymous = client.Get("/v1/models");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(json::parse(anonymous->body)["error"]["code"], "invalid_api_key") << "OpenAI-shaped: " << anonymous->body;
  auto lower_case = client.Get("/v1/models", {{"Authorization", "bearer " + kToken}});
  ASSERT_TRUE(lower_case);
  EXPECT_EQ(lower_case->status, 200) << "the scheme's name is case-insensitive";
  httplib::Headers auth{{"Authorization", "Bearer " + kToken}};
  auto listed = client.Get("/v1/models", auth);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(json::parse(listed->body)["data"][0]["id"], kModel);
  auto metrics = client.Get("/metrics", auth);
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(endpoint="/v1/models",status="200")"), std::string::npos) << metrics->body;
}

TEST_F(GatewayChatClients, ChatFailuresAreOpenAiShapedWithTheContractCode) {
  script_.then(http_error(400, R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})"));
  auto& gw = start({{"LLM_RETRY_ATTEMPTS", "1"}});
  json body = {{"model", kModel}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  auto [status, text] = gw.post("/v1/chat/completions", body.dump(), {{"Authorization", "Bearer " + kToken}});
  json error = json::parse(text, nullptr, false)["error"];
  EXPECT_GE(status, 400) << text;
  EXPECT_TRUE(error["message"].is_string()) << text;
  EXPECT_TRUE(error["type"].is_string()) << text;
  EXPECT_TRUE(error["code"].is_string()) << text;
}

TEST_F(GatewayChatClients, PortZeroIsAnnouncedOnStdoutAndInThePortFile) {
  auto dir = make_temp_dir("rt-port0");
  auto port_file = dir / "gateway.port";
  auto log = dir / "gateway.log";
  ChildProcess gateway({std::string(RT_BIN_DIR) + "/knight-gateway"},
                       {{"WORKSPACE_DIR", ws_.dir().string()}, {"GATEWAY_LISTEN", "127.0.0.1:0"}, {"GATEWAY_PORT_FILE", port_file.string()},
                        {"LLM_PROVIDER", "offline"}, {"LOG_LEVEL", "warn"}},
                       log);
  gateway.start();
  ASSERT_TRUE(eventually([&] { return fs::exists(port_file); }, std::chrono::seconds(20))) << gateway.output();
  std::ifstream in(port_file);
  int port = 0;
  in >> port;
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto health = client.Get("/health");
  ASSERT_TRUE(health) << "the port in the file is the one it listens on";
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(gateway.output().find("listening 127.0.0.1:" + std::to_string(port) + "\n"), std::string::npos) << gateway.output();
  gateway.stop();
  fs::remove_all(dir);
}

TEST(PortZero, TheBridgesHealthPortIsAnnouncedTheSameWay) {
  NatsServer nats;
  nats.start();
  auto dir = make_temp_dir("rt-port0-bridge");
  auto port_file = dir / "health.port";
  ChildProcess bridge({std::string(RT_BIN_DIR) + "/nats-bridge"},
                      {{"NATS_URL", nats.url()}, {"GATEWAY_URL", "http://127.0.0.1:9"}, {"FLEET_ID", "fleet-a"}, {"AGENT_ID", "galahad"},
                       {"TASK_DOMAINS", "security"}, {"HEALTH_HOST", "127.0.0.1"}, {"HEALTH_PORT", "0"},
                       {"HEALTH_PORT_FILE", port_file.string()}, {"LOG_LEVEL", "warn"}},
                      dir / "bridge.log");
  bridge.start();
  ASSERT_TRUE(eventually([&] { return fs::exists(port_file); }, std::chrono::seconds(20))) << bridge.output();
  std::ifstream in(port_file);
  int port = 0;
  in >> port;
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto alive = client.Get("/healthz");
  ASSERT_TRUE(alive) << "the port in the file is the health port";
  EXPECT_EQ(alive->status, 200);
  EXPECT_NE(bridge.output().find("listening 127.0.0.1:" + std::to_string(port) + "\n"), std::string::npos) << bridge.output();
  bridge.stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rt::testing
