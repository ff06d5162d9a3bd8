// The thinking loop against a scripted provider (the LlmProvider seam): prompt, tool rounds,
// the last turn, limits and how failures map to contract codes.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/gateway/agent.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ScriptedProvider final : public llm::Provider {
 public:
  std::deque<llm::Outcome> script;
  std::vector<llm::Request> requests;
  llm::Outcome complete(const llm::Request& request) override {
    requests.push_back(request);
    if (script.empty()) return text("default");
    auto next = script.front();
    script.pop_front();
    return next;
  }
  std::string name() const override { return "scripted"; }

  static llm::Outcome text(const std::string& answer, int64_t input = 10, int64_t output = 5) {
    llm::Response r;
    r.model = "scripted-model";
    r.content.push_back(llm::Block::make_text(answer));
    r.usage.input_tokens = input;
    r.usage.output_tokens = output;
    r.usage.cache_read_tokens = 7;
    return llm::Outcome::success(r);
  }
  static llm::Outcome tool_use(const std::string& tool, const json& input, const std::string& id = "t1") {
    llm::Response r;
    r.content = {llm::Block::make_text("thinking"), llm::Block::make_tool_use(id, tool, input)};
    r.stop_reason = "tool_use";
    r.usage.input_tokens = 3;
    r.usage.output_tokens = 2;
    return llm::Outcome::success(r);
  }
};

// A tool added from outside, as the lead's delegate is.
class ProbeTool final : public Tool {
 public:
  std::vector<json> inputs;
  llm::ToolSpec spec() const override { return {"probe", "records its input", {{"type", "object"}}}; }
  ToolResult run(const json& input, ToolContext& context) override {
    inputs.push_back(input);
    if (context.progress) context.progress({50, "probing", {}});
    return {"probe saw " + input.dump(), false};
  }
};

Logger quiet() {
  LogSettings settings;
  settings.level = "off";
  return Logger(settings);
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-agent-unit");
    workspace_.dir = dir_;
    workspace_.soul = "# Sir Unit\nBe exact.";
    workspace_.memory_file = dir_ / "MEMORY.md";
    std::ofstream(workspace_.memory_file) << "# Memory\n- 2026-01-01: the moat is full\n";
    workspace_.knight.name = "unit";
    workspace_.knight.model.name = "main-model";
    workspace_.knight.max_tool_iterations = 3;
    Skill skill;
    skill.name = "echo";
    skill.description = "echoes";
    workspace_.skills.push_back(skill);
    metrics_.counter("roundtable_gateway_rate_limited_total", "x");
    metrics_.counter("roundtable_gateway_tool_calls_total", "x");
    auto probe = std::make_unique<ProbeTool>();
    probe_ = probe.get();
    tools_.add(std::move(probe));
  }
  void TearDown() override { fs::remove_all(dir_); }

  AgentAnswer ask(int rpm = 0, int64_t tokens_per_day = 0, std::optional<SystemTime> deadline = std::nullopt) {
    if (!limiter_) limiter_ = std::make_unique<RateLimiter>(nullptr, "fleet-a", "unit", rpm, tokens_per_day, quiet());
    Agent agent(workspace_, provider_, tools_, *limiter_, metrics_, quiet());
    Conversation c;
    c.task_id = "task-1";
    c.messages = {{"user", {llm::Block::make_text("Task: security.briefing")}}};
    c.deadline = deadline;
    c.progress = [this](const contract::Progress& p) { progress_.push_back(p.message); };
    return agent.run(std::move(c));
  }

  fs::path dir_;
  Workspace workspace_;
  ScriptedProvider provider_;
  ToolRegistry tools_;
  ProbeTool* probe_ = nullptr;
  http::MetricsRegistry metrics_;
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<std::string> progress_;
};

TEST_F(AgentTest, SystemPromptIsSoulThenMemoryThenSkills) {
  ask();
  ASSERT_EQ(provider_.requests.size(), 1u);
  const std::string& system = provider_.requests[0].system;
  auto soul = system.find("# Sir Unit"), memory = system.find("the moat is full"), skills = system.find("- echo: echoes");
  EXPECT_EQ(soul, 0u);
  EXPECT_NE(memory, std::string::npos);
  EXPECT_NE(skills, std::string::npos);
  EXPECT_LT(memory, skills);
  EXPECT_TRUE(provider_.requests[0].cache_system);
  EXPECT_EQ(provider_.requests[0].model, "main-model");
}

TEST_F(AgentTest, TaskRequestIsRenderedAsTheUserMessage) {
  contract::TaskRequest request;
  request.task = "security.briefing";
  request.params = {{"scope", "castle; rm -rf /"}};
  request.response_format = "json";
  request.max_tokens = 1200;
  std::string text = render_task_message(request);
  EXPECT_NE(text.find("Task: security.briefing"), std::string::npos);
  EXPECT_NE(text.find(R"("scope":"castle; rm -rf /")"), std::string::npos);
  EXPECT_NE(text.find("Response format: json"), std::string::npos);
  EXPECT_NE(text.find("1200 tokens"), std::string::npos);
}

TEST_F(AgentTest, AToolRoundRunsTheToolAndSendsItsResultBack) {
  provider_.script = {ScriptedProvider::tool_use("probe", {{"q", 1}}), ScriptedProvider::text("final")};
  auto answer = ask();
  ASSERT_TRUE(answer.completed);
  EXPECT_EQ(answer.result.content, "final");
  ASSERT_EQ(probe_->inputs.size(), 1u);
  EXPECT_EQ(probe_->inputs[0], json({{"q", 1}}));
  ASSERT_EQ(provider_.requests.size(), 2u);
  const auto& second = provider_.requests[1].messages;
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[1].role, "assistant");
  EXPECT_EQ(second[2].content[0].kind, llm::Block::Kind::tool_result);
  EXPECT_EQ(second[2].content[0].tool_id, "t1");
  EXPECT_EQ(second[2].content[0].text, R"(probe saw {"q":1})");
  EXPECT_EQ(answer.result.metadata.input_tokens, 13);
  EXPECT_EQ(answer.result.metadata.output_tokens, 7);
  EXPECT_EQ(answer.result.metadata.cache_read_tokens, 7);
  EXPECT_EQ(answer.result.metadata.model, "scripted-model");
  EXPECT_EQ(answer.result.metadata.extra["toolIterations"], 1);
  EXPECT_FALSE(progress_.empty());
}

TEST_F(AgentTest, AnUnknownToolIsAnErrorResultTheModelCanRecoverFrom) {
  provider_.script = {ScriptedProvider::tool_use("no_such_tool", json::object()), ScriptedProvider::text("recovered")};
  auto answer = ask();
  ASSERT_TRUE(answer.completed);
  const auto& result = provider_.requests[1].messages[2].content[0];
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(result.text.find("no_such_tool"), std::string::npos);
}

TEST_F(AgentTest, TheLastIterationKeepsToolsListedButForbidsThem) {
  for (int i = 0; i < 5; ++i) provider_.script.push_back(ScriptedProvider::tool_use("probe", json::object(), "t" + std::to_string(i)));
  auto answer = ask();
  ASSERT_TRUE(answer.completed) << answer.failure.message;
  ASSERT_EQ(provider_.requests.size(), 3u);
  EXPECT_TRUE(provider_.requests[0].tools_allowed);
  EXPECT_TRUE(provider_.requests[1].tools_allowed);
  EXPECT_FALSE(provider_.requests[2].tools_allowed);
  EXPECT_EQ(provider_.requests[2].tools.size(), 1u) << "listed, so earlier tool turns stay valid";
  EXPECT_EQ(probe_->inputs.size(), 2u);
  EXPECT_EQ(answer.result.content, "thinking");
}

TEST_F(AgentTest, AnEmptyRateBucketIsARateLimitedFailureWithRetryAfter) {
  EXPECT_TRUE(ask(1).completed);
  auto second = ask(1);
  ASSERT_FALSE(second.completed);
  EXPECT_EQ(second.failure.error, ErrorCode::rate_limited);
  EXPECT_TRUE(second.failure.retryable);
  ASSERT_TRUE(second.failure.retry_after_seconds.has_value());
  EXPECT_GE(*second.failure.retry_after_seconds, 1);
  EXPECT_EQ(provider_.requests.size(), 1u) << "the refused call never reached the LLM";
}

TEST_F(AgentTest, ASpentDailyBudgetStopsTheKnightUntilMidnight) {
  provider_.script = {ScriptedProvider::text("expensive", 90, 20)};
  EXPECT_TRUE(ask(0, 100).completed);
  auto second = ask(0, 100);
  ASSERT_FALSE(second.completed);
  EXPECT_EQ(second.failure.error, ErrorCode::rate_limited);
  EXPECT_NE(second.failure.message.find("budget"), std::string::npos);
  ASSERT_TRUE(second.failure.retry_after_seconds.has_value());
  EXPECT_LE(*second.failure.retry_after_seconds, 86401);
}

TEST_F(AgentTest, ProviderFailuresKeepTheirContractCode) {
  provider_.script = {llm::Outcome::fail(llm::failure_for_status(429, "{}", std::chrono::milliseconds(2500)))};
  auto limited = ask();
  EXPECT_EQ(limited.failure.error, ErrorCode::rate_limited);
  EXPECT_EQ(limited.failure.retry_after_seconds, 3);
  provider_.script = {llm::Outcome::fail(llm::failure_for_status(400, "Your credit balance is too low", std::nullopt))};
  auto spent = ask();
  EXPECT_EQ(spent.failure.error, ErrorCode::model_error);
  EXPECT_FALSE(spent.failure.retryable);
  provider_.script = {llm::Outcome::fail(llm::failure_for_status(503, "{}", std::nullopt))};
  auto down = ask();
  EXPECT_EQ(down.failure.error, ErrorCode::model_error);
  EXPECT_TRUE(down.failure.retryable);
}

TEST_F(AgentTest, APassedDeadlineIsATimeoutAndTheDeadlineReachesTheProvider) {
  auto late = ask(0, 0, std::chrono::system_clock::now() - std::chrono::seconds(1));
  EXPECT_EQ(late.failure.error, ErrorCode::timeout);
  EXPECT_TRUE(provider_.requests.empty());
  auto on_time = ask(0, 0, std::chrono::system_clock::now() + std::chrono::seconds(60));
  EXPECT_TRUE(on_time.completed);
  ASSERT_TRUE(provider_.requests.back().deadline.has_value());
  EXPECT_GT(*provider_.requests.back().deadline, std::chrono::steady_clock::now());
}

}  // namespace
}  // namespace rt::gateway
