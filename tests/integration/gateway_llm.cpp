// knight-gateway against a local server speaking the Anthropic and OpenAI wire protocols.
#include <gtest/gtest.h>

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <future>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class GatewayLlm : public ::testing::Test {
 protected:
  GatewayProcess& start(std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> base{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                            {"ANTHROPIC_API_KEY", "sk-ant-test-key"}};
    for (auto& [k, v] : env) base[k] = v;
    gateways_.push_back(std::make_unique<GatewayProcess>(ws_.dir(), base));
    gateways_.back()->start();
    EXPECT_TRUE(gateways_.back()->wait_ready()) << gateways_.back()->output();
    return *gateways_.back();
  }
  void TearDown() override {
    if (HasFailure())
      for (auto& g : gateways_) std::cerr << "---- gateway log ----\n" << g->output().substr(0, 10000) << "\n";
  }

  TempWorkspace ws_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
};

TEST_F(GatewayLlm, AnthropicRequestCarriesSoulMemoryHeadersAndCacheControl) {
  script_.then(anthropic_text("all quiet on the walls", 80));
  auto& gw = start();
  auto [status, answer] = gw.task("security.briefing", {{"scope", "castle"}});
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "completed");
  EXPECT_EQ(answer["result"]["content"], "all quiet on the walls");
  EXPECT_EQ(answer["result"]["metadata"]["inputTokens"], 100);
  EXPECT_EQ(answer["result"]["metadata"]["outputTokens"], 20);
  EXPECT_EQ(answer["result"]["metadata"]["cacheReadTokens"], 80);
  EXPECT_TRUE(answer["result"]["metadata"]["durationMs"].is_number_integer());
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].path, "/v1/messages");
  EXPECT_EQ(calls[0].headers["x-api-key"], "sk-ant-test-key");
  EXPECT_EQ(calls[0].headers["anthropic-version"], "2023-06-01");
  const json& body = calls[0].json;
  EXPECT_EQ(body["model"], "test-model");
  std::string system = body["system"][0]["text"];
  EXPECT_NE(system.find("Sir Testalot"), std::string::npos) << "SOUL.md in the system prompt";
  EXPECT_NE(system.find("three drawers"), std::string::npos) << "MEMORY.md in the system prompt";
  EXPECT_NE(system.find("echo: Echo the input"), std::string::npos) << "skills listed";
  EXPECT_EQ(body["system"][0]["cache_control"]["type"], "ephemeral");
  std::string user = body["messages"][0]["content"][0]["text"];
  EXPECT_NE(user.find("Task: security.briefing"), std::string::npos);
  EXPECT_NE(user.find("castle"), std::string::npos);
  EXPECT_EQ(body["tools"].size(), 5u) << "echo, remember, shared_get, shared_set, spawn_subagents";
  EXPECT_EQ(gw.output().find("sk-ant-test-key"), std::string::npos) << "secret in the log";
}

TEST_F(GatewayLlm, ToolUseRunsARealSkillAndSendsItsResultBack) {
  script_.then(anthropic_tool_use("echo", {{"text", "hi; rm -rf / #$(reboot)"}}));
  script_.then(anthropic_text("the echo came back"));
  auto& gw = start();
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["result"]["content"], "the echo came back");
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 2u);
  const json& messages = calls[1].json["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_EQ(messages[1]["content"][1]["type"], "tool_use");
  const json& result = messages[2]["content"][0];
  EXPECT_EQ(result["type"], "tool_result");
  EXPECT_EQ(result["tool_use_id"], "toolu_1");
  EXPECT_EQ(result["is_error"], false);
  json echoed = json::parse(result["content"].get<std::string>());
  EXPECT_EQ(echoed["echo"]["text"], "hi; rm -rf / #$(reboot)") << "metacharacters are data";
  EXPECT_EQ(echoed["cwd"], "echo") << "runs in its skill folder";
}

TEST_F(GatewayLlm, TheLastTurnKeepsTheToolsAndForbidsTheirUse) {
  // basic: max_tool_iterations 4; the model keeps asking for tools.
  script_.otherwise([](const GatewayCall&) { return anthropic_tool_use("echo", {{"text", "again"}}); });
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "completed") << answer.dump();
  EXPECT_EQ(answer["result"]["content"], "let me check");
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(calls[i].json.contains("tool_choice")) << i;
  EXPECT_EQ(calls[3].json["tool_choice"]["type"], "none");
  EXPECT_EQ(calls[3].json["tools"].size(), 5u) << "the API refuses tool_use/tool_result turns without tool definitions";
  EXPECT_EQ(calls[3].json["tools"], calls[0].json["tools"]) << "the cached prefix stays the same";
}

TEST_F(GatewayLlm, ALongRetryAfterIsHandedToTheCallerInsteadOfWaiting) {
  script_.otherwise([](const GatewayCall&) { return http_error(429, R"({"type":"error"})", {{"retry-after", "120"}}); });
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["error"], "rate_limited");
  EXPECT_EQ(answer["retryable"], true);
  EXPECT_EQ(answer["retryAfterSeconds"], 120);
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 2u) << "one call per model: the primary, then the fallback";
  EXPECT_EQ(calls[0].json["model"], "test-model");
  EXPECT_EQ(calls[1].json["model"], "test-fallback");
}

TEST_F(GatewayLlm, TasksRunInParallelUpToTheLimitThenWaitThenAreTurnedAway) {
  auto gate = std::make_shared<Gate>();
  auto arrived_count = std::make_shared<std::atomic<int>>(0);
  std::atomic<int>& arrived = *arrived_count;
  script_.otherwise([gate, arrived_count](const GatewayCall&) {
    ++*arrived_count;
    gate->wait();
    return anthropic_text("done");
  });
  auto& gw = start({{"GATEWAY_MAX_CONCURRENCY", "2"}});
  std::vector<std::future<std::pair<int, json>>> answers;
  struct OpenAtExit {  // declared after the futures, so an early return opens before they are awaited
    std::shared_ptr<Gate> gate;
    ~OpenAtExit() { gate->open(); }
  } open_at_exit{gate};
  for (int i = 0; i < 4; ++i) answers.push_back(std::async(std::launch::async, [&gw] { return gw.task(); }));
  httplib::Client probe("127.0.0.1", gw.port());
  auto metric = [&](const std::string& line) {
    auto res = probe.Get("/metrics");
    return res && res->status == 200 && res->body.find(line) != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return arrived == 2 && metric("roundtable_gateway_waiting 2"); })) << "two think, two wait";
  EXPECT_TRUE(metric("roundtable_gateway_in_flight 2"));
  auto health = probe.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "probes are answered however busy the knight is";
  auto [busy_status, busy] = gw.task();
  EXPECT_EQ(busy_status, 503);
  EXPECT_EQ(busy["error"], "gateway_unavailable");
  EXPECT_EQ(busy["retryable"], true);
  EXPECT_EQ(arrived, 2) << "no more than GATEWAY_MAX_CONCURRENCY tasks reach the LLM at once";
  gate->open();
  for (auto& answer : answers) EXPECT_EQ(answer.get().second["status"], "completed");
  EXPECT_EQ(arrived, 4);
}

TEST_F(GatewayLlm, RateLimitWithRetryAfterThenSuccess) {
  script_.then(http_error(429, R"({"type":"error","error":{"type":"rate_limit_error"}})", {{"retry-after", "0"}}));
  script_.then(anthropic_text("made it"));
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "completed");
  EXPECT_EQ(answer["result"]["content"], "made it");
  EXPECT_EQ(llm_.call_count(), 2u);
}

TEST_F(GatewayLlm, PersistentServerErrorEndsInRetryableModelErrorAfterTheFallback) {
  script_.otherwise([](const GatewayCall&) { return http_error(500, R"({"type":"error","error":{"type":"api_error"}})"); });
  auto& gw = start({{"LLM_RETRY_ATTEMPTS", "2"}});
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["error"], "model_error");
  EXPECT_EQ(answer["retryable"], true);
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 4u) << "2 attempts on the model, 2 on its fallback";
  EXPECT_EQ(calls[0].json["model"], "test-model");
  EXPECT_EQ(calls[3].json["model"], "test-fallback");
}

// LLM_TIMEOUT bounds the whole call: an answer that keeps trickling in (each piece well within
// a read timeout) is cut at it. It completed after the whole trickle, however long.
TEST_F(GatewayLlm, AnAnswerThatTricklesInIsCutAtTheTimeout) {
  script_.otherwise([](const GatewayCall&) {
    GatewayReply slow = anthropic_text("too slow");
    slow.ndjson_lines.assign(40, " ");  // whitespace before the JSON, a piece every 100 ms
    slow.ndjson_lines.push_back(slow.body);
    slow.line_gap = std::chrono::milliseconds(100);
    return slow;
  });
  auto& gw = start({{"LLM_TIMEOUT", "1s"}, {"LLM_RETRY_ATTEMPTS", "1"}});
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  EXPECT_EQ(answer["status"], "failed") << answer.dump();
  EXPECT_EQ(answer["error"], "model_error");
  EXPECT_NE(answer.value("message", "").find("did not finish"), std::string::npos) << answer.dump();
}

TEST_F(GatewayLlm, FallbackModelAnswersWhenThePrimaryKeepsFailing) {
  script_.otherwise([](const GatewayCall& call) {
    if (call.json["model"] == "test-model") return http_error(529, R"({"type":"error","error":{"type":"overloaded_error"}})");
    return anthropic_text("fallback here");
  });
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "completed");
  EXPECT_EQ(answer["result"]["content"], "fallback here");
  EXPECT_EQ(answer["result"]["metadata"]["model"], "claude-test");
  EXPECT_EQ(llm_.calls().back().json["model"], "test-fallback");
}

TEST_F(GatewayLlm, SpendLimitIsNeverRetried) {
  script_.otherwise([](const GatewayCall&) {
    return http_error(400, R"({"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low"}})");
  });
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "failed");
  EXPECT_EQ(answer["retryable"], false);
  EXPECT_EQ(llm_.call_count(), 1u);
}

TEST_F(GatewayLlm, RememberPersistsAcrossARestart) {
  script_.then(anthropic_tool_use("remember", {{"fact", "the moat was drained on tuesday"}}));
  script_.then(anthropic_text("noted"));
  {
    auto& gw = start();
    EXPECT_EQ(gw.task().second["status"], "completed");
    gw.process().stop();
  }
  EXPECT_NE(ws_.read("MEMORY.md").find("the moat was drained on tuesday"), std::string::npos);
  script_.then(anthropic_text("I remember"));
  auto& again = start();
  EXPECT_EQ(again.task().second["status"], "completed");
  std::string system = llm_.calls().back().json["system"][0]["text"];
  EXPECT_NE(system.find("the moat was drained on tuesday"), std::string::npos);
}

TEST_F(GatewayLlm, SubAgentsRunInParallel) {
  std::mutex mutex;
  std::condition_variable all_started;
  int started = 0;
  script_.then(anthropic_tool_use("spawn_subagents", {{"tasks", {"check the gate", "check the wall", "check the keep"}}}));
  script_.otherwise([&](const GatewayCall& call) {
    if (call.json["model"] == "test-sub-model") {
      std::unique_lock lock(mutex);
      ++started;
      all_started.notify_all();
      // Hold each sub-agent until all three are in: only parallel calls can get past this.
      all_started.wait_for(lock, std::chrono::seconds(10), [&] { return started >= 3; });
      return anthropic_text("sub done: " + call.json["messages"][0]["content"][0]["text"].get<std::string>());
    }
    return anthropic_text("merged");
  });
  auto& gw = start();
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "merged");
  std::vector<GatewayCall> subs;
  for (const auto& c : llm_.calls())
    if (c.json["model"] == "test-sub-model") subs.push_back(c);
  ASSERT_EQ(subs.size(), 3u);
  for (const auto& a : subs)
    for (const auto& b : subs) EXPECT_LT(a.started, b.finished) << "every sub-agent call overlaps every other";
  std::string tool_result = llm_.calls().back().json["messages"][2]["content"][0]["content"];
  EXPECT_NE(tool_result.find("sub done: check the keep"), std::string::npos);
}

// Arguments that are not a JSON object: the tool is not run with {}, the model is told and
// asks again. An empty last answer is a model_error, never "completed" with nothing.
TEST_F(GatewayLlm, ToolArgumentsThatAreNotAnObjectAreAnsweredWithAnError) {
  GatewayReply broken = openai_tool_call("echo", json::object());
  auto body = json::parse(broken.body);
  body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = "not json{";
  broken.body = body.dump();
  script_.then(broken);
  script_.then(openai_text(""));
  auto& gw = start({{"LLM_PROVIDER", "openai"}, {"OPENAI_API_KEY", "sk-openai-test"}});
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "failed") << answer.dump();
  EXPECT_EQ(answer["error"], "model_error");
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 2u);
  const json& told = calls[1].json["messages"].back();
  EXPECT_EQ(told["role"], "tool");
  EXPECT_NE(told["content"].dump().find("must be one JSON object"), std::string::npos) << told.dump();
}

TEST_F(GatewayLlm, OpenAiProviderSpeaksChatCompletionsWithTools) {
  script_.then(openai_tool_call("echo", {{"text", "ping"}}));
  script_.then(openai_text("pong"));
  auto& gw = start({{"LLM_PROVIDER", "openai"}, {"OPENAI_API_KEY", "sk-openai-test"}});
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["result"]["content"], "pong");
  EXPECT_EQ(answer["result"]["metadata"]["cacheReadTokens"], 12);
  auto calls = llm_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].path, "/v1/chat/completions");
  EXPECT_EQ(calls[0].headers["Authorization"], "Bearer sk-openai-test");
  EXPECT_EQ(calls[0].json["messages"][0]["role"], "system");
  EXPECT_EQ(calls[0].json["tools"][0]["type"], "function");
  const json& tool_message = calls[1].json["messages"].back();
  EXPECT_EQ(tool_message["role"], "tool");
  EXPECT_EQ(tool_message["tool_call_id"], "call_1");
  EXPECT_NE(tool_message["content"].get<std::string>().find("ping"), std::string::npos);
}

TEST_F(GatewayLlm, OfflineProviderAnswersWithoutNetwork) {
  auto& gw = start({{"LLM_PROVIDER", "offline"}, {"LLM_BASE_URL", ""}});
  auto [status, answer] = gw.task();
  EXPECT_EQ(answer["status"], "completed");
  std::string content = answer["result"]["content"];
  EXPECT_NE(content.find("offline"), std::string::npos);
  EXPECT_NE(content.find("Sir Testalot"), std::string::npos);
  EXPECT_NE(content.find("### echo"), std::string::npos) << "offline runs the skills that need no input";
  EXPECT_EQ(llm_.call_count(), 0u);
}

}  // namespace
}  // namespace rt::testing
