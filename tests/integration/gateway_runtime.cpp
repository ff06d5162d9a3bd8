// knight-gateway: shared memory and limits over real Redis, the skill sandbox, the HTTP surface.
#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/envelope.hpp"

#include <httplib.h>
#include <fstream>

namespace rt::testing {
namespace {

using nlohmann::json;

std::map<std::string, std::string> anthropic_env(const FakeGateway& llm) {
  return {{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm.url()}, {"ANTHROPIC_API_KEY", "k"}};
}

std::map<std::string, std::string> with(std::map<std::string, std::string> a, const std::map<std::string, std::string>& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

TEST(GatewayRedis, SharedSetInOneKnightIsReadByAnother) {
  RedisServer redis;
  FakeGateway llm;
  ScriptedLlm script(llm);
  TempWorkspace ws;
  GatewayProcess a(ws.dir(), with(anthropic_env(llm), {{"REDIS_URL", redis.url()}, {"AGENT_ID", "galahad"}}));
  GatewayProcess b(ws.dir(), with(anthropic_env(llm), {{"REDIS_URL", redis.url()}, {"AGENT_ID", "percival"}}));
  a.start();
  b.start();
  ASSERT_TRUE(a.wait_ready() && b.wait_ready());
  script.then(anthropic_tool_use("shared_set", {{"key", "drawbridge"}, {"value", "raised at dusk"}}));
  script.then(anthropic_text("stored"));
  EXPECT_EQ(a.task().second["status"], "completed");
  script.then(anthropic_tool_use("shared_get", {{"key", "drawbridge"}}));
  script.then(anthropic_text("read"));
  EXPECT_EQ(b.task().second["status"], "completed");
  auto last = llm.calls().back().json["messages"][2]["content"][0];
  EXPECT_EQ(last["content"], "raised at dusk");
}

TEST(GatewayRedis, RequestsPerMinuteAreSharedByTheFleet) {
  RedisServer redis;
  FakeGateway llm;
  ScriptedLlm script(llm);
  TempWorkspace ws;
  std::string yaml = ws.read("knight.yaml");
  yaml.replace(yaml.find("requests_per_minute: 0"), 22, "requests_per_minute: 2");
  ws.write("knight.yaml", yaml);
  GatewayProcess a(ws.dir(), with(anthropic_env(llm), {{"REDIS_URL", redis.url()}}));
  GatewayProcess b(ws.dir(), with(anthropic_env(llm), {{"REDIS_URL", redis.url()}}));
  a.start();
  b.start();
  ASSERT_TRUE(a.wait_ready() && b.wait_ready());
  int completed = 0, limited = 0;
  for (int i = 0; i < 5; ++i) {
    auto answer = (i % 2 ? b : a).task().second;
    if (answer["status"] == "completed") ++completed;
    if (answer["error"] == "rate_limited") {
      ++limited;
      EXPECT_GT(answer["retryAfterSeconds"].get<int>(), 0);
      EXPECT_EQ(answer["retryable"], true);
    }
  }
  EXPECT_EQ(llm.call_count(), 2u) << "exactly two LLM calls in the window, across both gateways";
  EXPECT_EQ(completed, 2);
  EXPECT_EQ(limited, 3);
}

TEST(GatewayRedis, DailyTokenBudgetStopsTheKnight) {
  RedisServer redis;
  FakeGateway llm;
  ScriptedLlm script(llm);
  TempWorkspace ws;
  std::string yaml = ws.read("knight.yaml");
  yaml.replace(yaml.find("tokens_per_day: 0"), 17, "tokens_per_day: 150");
  ws.write("knight.yaml", yaml);
  GatewayProcess gw(ws.dir(), with(anthropic_env(llm), {{"REDIS_URL", redis.url()}}));
  gw.start();
  ASSERT_TRUE(gw.wait_ready());
  EXPECT_EQ(gw.task().second["status"], "completed");  // spends 120 tokens
  EXPECT_EQ(gw.task().second["status"], "completed");  // 120 < 150: allowed, now 240
  auto third = gw.task().second;
  EXPECT_EQ(third["error"], "rate_limited");
  EXPECT_NE(third["message"].get<std::string>().find("budget"), std::string::npos);
  EXPECT_EQ(llm.call_count(), 2u);
}

class GatewaySandbox : public ::testing::Test {
 protected:
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  TempWorkspace ws_;
  void add_skill(const std::string& name, const std::string& script, const std::string& timeout = "1s") {
    ws_.write("skills/" + name + "/SKILL.md", "---\nname: " + name + "\ndescription: test skill\ncommand: [./run.sh]\ntimeout: " + timeout + "\n---\n");
    ws_.write("skills/" + name + "/run.sh", "#!/bin/sh\n" + script, true);
    std::string yaml = ws_.read("knight.yaml");
    yaml.replace(yaml.find("skills: [echo]"), 14, "skills: [echo, " + name + "]");
    ws_.write("knight.yaml", yaml);
  }
  json tool_result_of(const std::string& skill, std::map<std::string, std::string> env = {}) {
    script_.then(anthropic_tool_use(skill, json::object()));
    script_.then(anthropic_text("done"));
    GatewayProcess gw(ws_.dir(), with(anthropic_env(llm_), env));
    gw.start();
    EXPECT_TRUE(gw.wait_ready()) << gw.output();
    EXPECT_EQ(gw.task().second["status"], "completed");
    return llm_.calls().back().json["messages"][2]["content"][0];
  }
};

TEST_F(GatewaySandbox, RunawaySkillIsKilledAtItsTimeout) {
  add_skill("runaway", "sleep 30 & wait\n");
  auto result = tool_result_of("runaway");
  EXPECT_EQ(result["is_error"], true);
  EXPECT_NE(result["content"].get<std::string>().find("timeout"), std::string::npos) << result.dump();
}

TEST_F(GatewaySandbox, OversizedOutputIsTruncated) {
  add_skill("chatty", "head -c 300000 /dev/zero | tr '\\0' 'x'\n");
  auto result = tool_result_of("chatty", {{"SKILL_OUTPUT_BYTES", "1024"}});
  std::string content = result["content"];
  EXPECT_LT(content.size(), 1200u);
  EXPECT_NE(content.find("[output truncated]"), std::string::npos);
}

TEST_F(GatewaySandbox, EnvironmentIsScrubbed) {
  add_skill("env", "env\n");
  auto result = tool_result_of("env", {{"SECRET_SHOULD_NOT_LEAK", "leaky"}});
  std::string content = result["content"];
  EXPECT_EQ(content.find("leaky"), std::string::npos);
  EXPECT_EQ(content.find("ANTHROPIC_API_KEY"), std::string::npos);
  EXPECT_NE(content.find("HOME=" + ws_.dir().string()), std::string::npos) << content;
}

TEST_F(GatewaySandbox, SkillOutputThatIsNotUtf8StillReachesTheModel) {
  add_skill("binary", "printf 'half a euro \\342\\202 and \\377 bytes'\n");
  auto result = tool_result_of("binary");
  EXPECT_EQ(result["is_error"], false);
  EXPECT_NE(result["content"].get<std::string>().find("half a euro \xEF\xBF\xBD"), std::string::npos) << result.dump();
}

TEST_F(GatewaySandbox, SkillPathEscapingTheWorkspaceIsRefusedAtStart) {
  ws_.write("skills/echo/SKILL.md", "---\nname: echo\ndescription: x\ncommand: [../../../../../../bin/sh]\n---\n");
  auto result = run_command({std::string(RT_BIN_DIR) + "/knight-gateway"}, {{"WORKSPACE_DIR", ws_.dir().string()}, {"LLM_PROVIDER", "offline"}});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("SKILL.md"), std::string::npos);
  EXPECT_NE(result.output.find("escapes the workspace"), std::string::npos) << result.output;
}

TEST(GatewayStartup, MissingOrBrokenWorkspaceFilesNameTheFile) {
  TempWorkspace ws;
  std::filesystem::remove(ws.dir() / "SOUL.md");
  auto missing = run_command({std::string(RT_BIN_DIR) + "/knight-gateway"}, {{"WORKSPACE_DIR", ws.dir().string()}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("SOUL.md"), std::string::npos) << missing.output;
  TempWorkspace broken;
  broken.write("knight.yaml", "name: ok\ndomains: [security\n");
  auto bad = run_command({std::string(RT_BIN_DIR) + "/knight-gateway"}, {{"WORKSPACE_DIR", broken.dir().string()}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("knight.yaml:"), std::string::npos) << bad.output;
}

class GatewayHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    gw_ = std::make_unique<GatewayProcess>(ws_.dir(), std::map<std::string, std::string>{{"LLM_PROVIDER", "offline"}, {"GATEWAY_TOKEN", "gw-token"}});
    gw_->start();
    ASSERT_TRUE(gw_->wait_ready()) << gw_->output();
  }
  TempWorkspace ws_;
  std::unique_ptr<GatewayProcess> gw_;
  std::map<std::string, std::string> auth_{{"Authorization", "Bearer gw-token"}};
};

TEST_F(GatewayHttp, BearerTokenIsRequired) {
  EXPECT_EQ(gw_->task("security.briefing", json::object()).first, 401);
  EXPECT_EQ(gw_->task("security.briefing", json::object(), {{"Authorization", "Bearer gw-tokeX"}}).first, 401);
  EXPECT_EQ(gw_->task("security.briefing", json::object(), auth_).first, 200);
}

TEST_F(GatewayHttp, BadJsonIs400WithAReasonAndOversizeIs413) {
  auto [status, body] = gw_->post("/webhook", "{not json", auth_);
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("not valid JSON"), std::string::npos) << body;
  EXPECT_EQ(gw_->post("/webhook", std::string((1 << 20) + 10, 'x'), auth_).first, 413);
  auto chat = gw_->post("/v1/chat/completions", R"({"messages":"nope"})", auth_);
  EXPECT_EQ(chat.first, 400);
}

TEST_F(GatewayHttp, APassedDeadlineIsATimeoutFailure) {
  auto headers = auth_;
  headers["X-Roundtable-Deadline"] = format_rfc3339(std::chrono::system_clock::now() - std::chrono::seconds(5));
  headers["X-Roundtable-Attempt"] = "3";
  auto [status, answer] = gw_->task("security.briefing", json::object(), headers);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["error"], "timeout");
  EXPECT_EQ(answer["retryable"], true);
  EXPECT_EQ(answer["attempt"], 3);
}

TEST_F(GatewayHttp, ChatRequestsWithWrongTypesAre400NotCrashes) {
  for (const char* body : {R"({"messages":[{"role":"user","content":"hi"}],"stream":"yes"})",
                           R"({"messages":[{"role":"user","content":"hi"}],"model":7})", R"({"messages":[{"role":3}]})",
                           R"({"messages":[{"role":"assistant","content":"last word"}]})"}) {
    auto [status, text] = gw_->post("/v1/chat/completions", body, auth_);
    EXPECT_EQ(status, 400) << body << " -> " << text;
    EXPECT_TRUE(json::parse(text, nullptr, false)["error"].contains("message")) << text;
  }
}

TEST_F(GatewayHttp, NdjsonStreamsProgressThenTheResult) {
  auto env = contract::make_envelope("task.request", "tim", {{"task", "security.briefing"}}, std::chrono::system_clock::now());
  auto headers = auth_;
  headers["Accept"] = "application/x-ndjson";
  auto [status, body] = gw_->post("/webhook", contract::serialize(env), headers);
  ASSERT_EQ(status, 200);
  std::vector<json> lines;
  size_t pos = 0, end;
  while ((end = body.find('\n', pos)) != std::string::npos) lines.push_back(json::parse(body.substr(pos, end - pos))), pos = end + 1;
  ASSERT_GE(lines.size(), 3u) << body;
  EXPECT_EQ(lines.front()["type"], "progress");
  EXPECT_EQ(lines[1]["type"], "progress");
  EXPECT_EQ(lines[1]["message"], "ran echo");
  EXPECT_EQ(lines.back()["type"], "result");
  EXPECT_EQ(lines.back()["status"], "completed");
}

TEST_F(GatewayHttp, ChatCompletionsWorkWithAStockClient) {
  // What the OpenAI SDK sends, from Python's standard library.
  std::string script = R"PY(
import json, sys, urllib.request
url = sys.argv[1]
def call(stream):
    req = urllib.request.Request(url + "/v1/chat/completions", method="POST",
        data=json.dumps({"model": "testknight", "stream": stream, "messages": [
            {"role": "system", "content": "be brief"}, {"role": "user", "content": "status of the walls?"}]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer gw-token", "User-Agent": "OpenAI/Python 1.0"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers.get("Content-Type"), r.read().decode()
ctype, body = call(False)
doc = json.loads(body)
assert doc["object"] == "chat.completion", doc
assert doc["choices"][0]["message"]["role"] == "assistant"
assert "status of the walls?" in doc["choices"][0]["message"]["content"]
assert doc["usage"]["total_tokens"] > 0
ctype, body = call(True)
assert ctype.startswith("text/event-stream"), ctype
events = [l[6:] for l in body.split("\n") if l.startswith("data: ")]
assert events[-1] == "[DONE]", events[-1]
text = "".join(json.loads(e)["choices"][0]["delta"].get("content", "") for e in events[:-1])
assert "status of the walls?" in text
print("stock client ok")
)PY";
  auto file = ws_.dir() / "client.py";
  std::ofstream(file) << script;
  auto result = run_command({"/usr/bin/python3", file.string(), gw_->url()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("stock client ok"), std::string::npos);
}

TEST_F(GatewayHttp, MetricsAreValidPrometheusText) {
  gw_->task("security.briefing", json::object(), auth_);
  httplib::Client client("127.0.0.1", gw_->port());
  auto res = client.Get("/metrics", httplib::Headers{{"Authorization", "Bearer gw-token"}});
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("roundtable_gateway_tokens_total{kind=\"input\"}"), std::string::npos);
  auto file = ws_.dir() / "metrics.txt";
  std::ofstream(file) << res->body;
  auto check = run_command({"/bin/sh", "-c", find_executable("promtool") + " check metrics < " + file.string()});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
}  // namespace rt::testing
