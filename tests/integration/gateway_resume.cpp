// Resume, don't repeat: the real nats-bridge and knight-gateway, real nats-server and
// redis-server, and an LLM stand-in speaking the Anthropic Messages API that counts every call
// and the tokens it bills. The gateway is killed with SIGKILL in the middle of a task; the
// redelivered task resumes from its Redis checkpoint.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "fixtures/await.hpp"
#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// One call at the LLM stand-in: how far the conversation it carried had got, and what it billed.
struct LlmCall {
  int tool_results = 0;
  json last_results;  // the tool_result blocks of the request's last message
  int64_t tokens = 0;
};

// The LLM stand-in. A turn's answer depends only on the conversation it is sent (how many
// tool results it holds), as a real model's would. It bills input tokens as bytes / 4.
class LlmStandIn {
 public:
  // `tool_turns` calls of `tool`, then a final answer. A call reaching `block_at` tool results
  // waits (unanswered) until release(): the test kills the gateway meanwhile.
  LlmStandIn(FakeGateway& server, std::string tool, int tool_turns) : tool_(std::move(tool)), tool_turns_(tool_turns) {
    server.set_handler([this](const GatewayCall& call) { return answer(call); });
  }
  void block_at(int tool_results) {
    std::lock_guard lock(mutex_);
    block_at_ = tool_results;
  }
  bool wait_blocked() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return blocked_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    block_at_ = -1;
    changed_.notify_all();
  }
  std::vector<LlmCall> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  int64_t tokens() {
    int64_t sum = 0;
    for (const auto& call : calls()) sum += call.tokens;
    return sum;
  }

 private:
  GatewayReply answer(const GatewayCall& call) {
    LlmCall seen;
    const json& messages = call.json.value("messages", json::array());
    for (const auto& message : messages)
      if (message.value("role", "") == "user" && message["content"].is_array())
        for (const auto& block : message["content"])
          if (block.value("type", "") == "tool_result") ++seen.tool_results;
    if (!messages.empty() && messages.back()["content"].is_array()) seen.last_results = messages.back()["content"];
    int64_t input = static_cast<int64_t>(call.body.size() / 4), output = 10;
    seen.tokens = input + output;
    std::unique_lock lock(mutex_);
    calls_.push_back(seen);
    if (seen.tool_results == block_at_) {
      blocked_ = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return block_at_ != seen.tool_results; });
    }
    lock.unlock();
    json content = json::array({{{"type", "text"}, {"text", "done after " + std::to_string(seen.tool_results) + " tool results"}}});
    std::string stop = "end_turn";
    if (seen.tool_results < tool_turns_) {
      int n = seen.tool_results + 1;
      content = json::array({{{"type", "tool_use"}, {"id", "toolu_" + std::to_string(n)}, {"name", tool_}, {"input", {{"n", n}}}}});
      stop = "tool_use";
    }
    json body = {{"id", "msg_" + std::to_string(seen.tool_results)}, {"type", "message"}, {"role", "assistant"},
                 {"model", "claude-test"}, {"content", content}, {"stop_reason", stop},
                 {"usage", {{"input_tokens", input}, {"output_tokens", output}}}};
    return GatewayReply{200, "application/json", body.dump(), {}, {}};
  }

  std::string tool_;
  int tool_turns_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<LlmCall> calls_;
  int block_at_ = -1;
  bool blocked_ = false;
};

size_t lines_in(const fs::path& file, const std::string& word) {
  std::ifstream in(file);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line == word;
  return n;
}

class GatewayResume : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.start();
    runs_ = ws_.dir() / "runs.log";
    release_ = ws_.dir() / "release";
    ws_.write("knight.yaml",
              "name: galahad\nfleet: fleet-a\nrole: knight\ndomains: [security]\ncapabilities: [security.briefing]\n"
              "model: {provider: anthropic, name: claude-test, max_tokens: 1000}\n"
              "limits: {requests_per_minute: 0, tokens_per_day: 0, max_tool_iterations: 8}\nskills: [step, slow]\n");
    ws_.write("skills/step/SKILL.md", "---\nname: step\ndescription: One step of the work.\ncommand: [./step.sh]\ntimeout: 10s\n---\n");
    ws_.write("skills/step/step.sh", "#!/bin/sh\ncat >/dev/null\necho step >> '" + runs_.string() + "'\necho 'step done'\n", true);
    slow_skill(false);
  }
  void TearDown() override {
    std::ofstream(release_) << "go\n";  // an orphaned slow skill ends
    if (llm_stand_in_) llm_stand_in_->release();
    if (HasFailure()) {
      if (gateway_) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 20000) << "\n";
      if (bridge_) std::cerr << "---- bridge log ----\n" << bridge_->output().substr(0, 8000) << "\n";
    }
  }
  // slow: records its start, then waits for the release file.
  void slow_skill(bool idempotent) {
    ws_.write("skills/slow/SKILL.md", std::string("---\nname: slow\ndescription: Slow work.\ncommand: [./slow.sh]\ntimeout: 60s\n") +
                                          (idempotent ? "idempotent: true\n" : "") + "---\n");
    ws_.write("skills/slow/slow.sh",
              "#!/bin/sh\ncat >/dev/null\necho start >> '" + runs_.string() + "'\nwhile [ ! -e '" + release_.string() +
                  "' ]; do sleep 0.05; done\necho 'slow done'\n",
              true);
  }
  LlmStandIn& stand_in(const std::string& tool, int tool_turns) {
    llm_stand_in_ = std::make_unique<LlmStandIn>(llm_, tool, tool_turns);
    return *llm_stand_in_;
  }
  GatewayProcess& start_gateway(bool with_redis) {
    std::map<std::string, std::string> env{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                           {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"LLM_RETRY_ATTEMPTS", "1"}};
    if (with_redis) env["REDIS_URL"] = redis_.url();
    gateway_ = std::make_unique<GatewayProcess>(ws_.dir(), env);
    gateway_->start();
    EXPECT_TRUE(gateway_->wait_ready()) << gateway_->output();
    return *gateway_;
  }
  void start_bridge() {
    bridge_ = std::make_unique<BridgeProcess>(nats_.url(), gateway_->url(), std::map<std::string, std::string>{{"MAX_DELIVER", "3"}});
    bridge_->start();
    ASSERT_TRUE(bridge_->wait_ready()) << bridge_->output();
  }
  void kill_and_restart_gateway() {
    gateway_->process().signal(SIGKILL);
    ASSERT_TRUE(gateway_->process().wait(std::chrono::seconds(10)));
    llm_stand_in_->release();  // the blocked call now answers a dead connection
    gateway_->start();
    ASSERT_TRUE(gateway_->wait_ready()) << gateway_->output();
  }
  std::optional<std::string> checkpoint_of(const std::string& task_id) {
    redis::Client client(*redis::parse_redis_url(redis_.url()), Logger());
    auto value = client.get("rt:fleet-a:ckpt:galahad:" + task_id);
    return value ? *value : std::nullopt;
  }

  // A task whose one tool call runs `slow`; the gateway is killed while it runs. Returns the
  // tool result the model is shown for it and how many times `slow` started.
  std::pair<json, size_t> interrupted_skill(bool idempotent) {
    slow_skill(idempotent);
    auto& s = stand_in("slow", 1);
    start_gateway(true);
    start_bridge();
    Bus bus(nats_.url());
    auto task = bus.publish_task("security.briefing");
    EXPECT_TRUE(eventually([&] { return lines_in(runs_, "start") == 1; }, std::chrono::seconds(60))) << "slow never started";
    gateway_->process().signal(SIGKILL);
    EXPECT_TRUE(gateway_->process().wait(std::chrono::seconds(10)));
    std::ofstream(release_) << "go\n";  // after the kill: a wrong re-run would end too, and show in the count
    gateway_->start();
    EXPECT_TRUE(gateway_->wait_ready()) << gateway_->output();
    auto result = bus.wait_result(task.id, std::chrono::seconds(60));
    EXPECT_TRUE(result) << "no result";
    auto calls = s.calls();
    EXPECT_EQ(calls.size(), 2u) << "turn 1 is not asked again";
    if (calls.empty() || calls.back().last_results.empty()) return {json::object(), lines_in(runs_, "start")};
    return {calls.back().last_results[0], lines_in(runs_, "start")};
  }

  RedisServer redis_;
  NatsServer nats_;
  FakeGateway llm_;
  TempWorkspace ws_;
  fs::path runs_, release_;
  std::unique_ptr<LlmStandIn> llm_stand_in_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::unique_ptr<BridgeProcess> bridge_;
};

struct RunFigures {
  std::vector<LlmCall> calls;
  int64_t tokens = 0;
  json result;
};

// A 4-turn task (3 skill runs, then the answer), its gateway killed while turn 4 is at the LLM.
TEST_F(GatewayResume, KilledAfterTurnThreeTheRedeliveryCostsOneExtraTurnWhereARestartCostsThree) {
  // An uninterrupted run first: what the task costs when nothing goes wrong.
  auto& stand = stand_in("step", 3);
  auto& direct = start_gateway(true);
  auto [status, answer] = direct.task();
  ASSERT_EQ(status, 200);
  ASSERT_EQ(answer["status"], "completed") << answer.dump();
  const auto ideal_calls = stand.calls().size();
  const int64_t ideal_tokens = stand.tokens();
  ASSERT_EQ(ideal_calls, 4u);
  int64_t largest_turn = 0;
  for (const auto& call : stand.calls()) largest_turn = std::max(largest_turn, call.tokens);
  const auto first_calls = stand.calls();
  gateway_.reset();
  fs::remove(runs_);

  auto interrupted_run = [&](bool with_redis) {
    auto& s = stand_in("step", 3);
    s.block_at(3);  // turn 4's request
    start_gateway(with_redis);
    start_bridge();
    Bus bus(nats_.url());
    auto task = bus.publish_task("security.briefing");
    EXPECT_TRUE(s.wait_blocked()) << "turn 4 never reached the LLM";
    kill_and_restart_gateway();
    RunFigures run;
    auto result = bus.wait_result(task.id, std::chrono::seconds(60));
    EXPECT_TRUE(result) << "no result";
    if (result) run.result = *result;
    run.calls = s.calls();
    run.tokens = s.tokens();
    if (with_redis) {
      EXPECT_FALSE(checkpoint_of(task.id)) << "the checkpoint is removed once the answer is given";
      httplib::Client client("127.0.0.1", gateway_->port());
      auto metrics = client.Get("/metrics");
      EXPECT_TRUE(metrics && metrics->body.find("\nroundtable_gateway_checkpoint_resumes_total 1\n") != std::string::npos);
      EXPECT_TRUE(metrics && metrics->body.find("\nroundtable_gateway_checkpoint_turns_saved_total 3\n") != std::string::npos)
          << (metrics ? metrics->body : "no /metrics");
    }
    bridge_.reset();
    gateway_.reset();
    return run;
  };

  // Without Redis there are no checkpoints: the redelivery starts again (today's cost).
  auto restarted = interrupted_run(false);
  EXPECT_EQ(restarted.calls.size(), 3u + 1u + 4u);
  EXPECT_EQ(lines_in(runs_, "step"), 6u) << "steps 1-3 ran twice";
  fs::remove(runs_);

  auto resumed = interrupted_run(true);
  ASSERT_EQ(resumed.result.value("type", ""), "task.result") << resumed.result.dump();
  EXPECT_EQ(resumed.result["payload"]["result"]["content"], "done after 3 tool results") << resumed.result.dump();
  EXPECT_EQ(resumed.result["payload"]["result"]["metadata"]["attempt"], 2);
  EXPECT_LE(resumed.calls.size(), ideal_calls + 1) << "at most the interrupted turn is asked again";
  EXPECT_EQ(lines_in(runs_, "step"), 3u) << "no skill run is repeated";
  EXPECT_EQ(resumed.calls.back().tool_results, 3) << "the redelivery starts at turn 4";
  EXPECT_LE(resumed.tokens - ideal_tokens, largest_turn) << "at most one extra turn in tokens";
  int64_t first_three = 0;
  for (size_t i = 0; i < 3; ++i) first_three += first_calls[i].tokens;
  EXPECT_GE(restarted.tokens - ideal_tokens, first_three) << "a restart pays turns 1-3 again";
  std::cout << "[ figures ] uninterrupted: " << ideal_calls << " LLM calls, " << ideal_tokens << " tokens\n"
            << "[ figures ] killed at turn 4, no checkpoint: " << restarted.calls.size() << " calls, " << restarted.tokens
            << " tokens (+" << restarted.tokens - ideal_tokens << ")\n"
            << "[ figures ] killed at turn 4, resumed: " << resumed.calls.size() << " calls, " << resumed.tokens << " tokens (+"
            << resumed.tokens - ideal_tokens << "; one turn is at most " << largest_turn << ")\n";
}

TEST_F(GatewayResume, NonIdempotentSkillInterruptedMidRunIsReportedToTheModelNotRunAgain) {
  auto [shown, runs] = interrupted_skill(false);
  EXPECT_TRUE(shown.value("is_error", false)) << shown.dump();
  EXPECT_NE(shown.value("content", "").find("interrupted: the skill slow was running"), std::string::npos) << shown.dump();
  EXPECT_EQ(runs, 1u) << "not re-run";
}

TEST_F(GatewayResume, IdempotentSkillInterruptedMidRunIsRunAgain) {
  auto [shown, runs] = interrupted_skill(true);
  EXPECT_FALSE(shown.value("is_error", true)) << shown.dump();
  EXPECT_NE(shown.value("content", "").find("slow done"), std::string::npos) << shown.dump();
  EXPECT_EQ(runs, 2u) << "run again on resume";
}

TEST_F(GatewayResume, CorruptCheckpointIsIgnoredAndTheTaskStartsAfresh) {
  auto& stand = stand_in("step", 1);
  auto& gateway = start_gateway(true);
  contract::TaskRequest request;
  request.task = "security.briefing";
  auto envelope = contract::make_envelope("task.request", "tim", contract::to_json(request), std::chrono::system_clock::now());
  redis::Client client(*redis::parse_redis_url(redis_.url()), Logger());
  ASSERT_TRUE(client.set("rt:fleet-a:ckpt:galahad:" + envelope.id, "{\"version\":1,\"messages\":[[[[[{\"x\""));
  auto [status, body] = gateway.post("/webhook", contract::serialize(envelope), {{"X-Roundtable-Attempt", "2"}});
  ASSERT_EQ(status, 200) << gateway.output();
  auto answer = json::parse(body);
  ASSERT_EQ(answer["status"], "completed") << body;
  auto calls = stand.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].tool_results, 0) << "started from the task";
  EXPECT_EQ(lines_in(runs_, "step"), 1u);
  EXPECT_NE(gateway.output().find("checkpoint.corrupt"), std::string::npos);
  EXPECT_FALSE(checkpoint_of(envelope.id)) << "removed with the answer";
  EXPECT_TRUE(gateway.process().running());
}

}  // namespace
}  // namespace rt::testing
