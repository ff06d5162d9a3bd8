// Cancelling a task (docs/contract.md §1 `<fleet>.cancel.<task-id>`): running, queued, not yet
// published, and across two bridge replicas, through the real bridge and knight-gateway with a
// scripted LLM. Each ends task.failed `cancelled` with a task.cancelled event and no further LLM call.
#include <gtest/gtest.h>
#include <signal.h>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/cancel_publish.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "cancel-test-token";

class BridgeCancel : public ::testing::Test {
 protected:
  void SetUp() override {
    // Every LLM turn waits for the test; then the model asks for a tool, so a loop that went on
    // would call the LLM again.
    script_.otherwise([gate = gate_](const GatewayCall&) {
      gate->wait();
      return anthropic_tool_use("echo", {{"text", "more"}});
    });
  }
  void TearDown() override { gate_->open(); }

  void start_gateway() {
    gateway_ = std::make_unique<GatewayProcess>(
        ws_.dir(), std::map<std::string, std::string>{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                                      {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"GATEWAY_TOKEN", kToken},
                                                      {"GATEWAY_MAX_CONCURRENCY", "4"}});
    gateway_->start();
    ASSERT_TRUE(gateway_->wait_ready()) << gateway_->output();
  }
  BridgeProcess& start_bridge(const std::string& concurrency = "4") {
    bridges_.push_back(std::make_unique<BridgeProcess>(
        nats_.url(), gateway_->url(),
        std::map<std::string, std::string>{{"GATEWAY_TOKEN", kToken}, {"MAX_CONCURRENCY", concurrency}, {"ACK_WAIT", "30s"}}));
    bridges_.back()->start();
    EXPECT_TRUE(bridges_.back()->wait_ready()) << bridges_.back()->output();
    return *bridges_.back();
  }
  void cancel(const std::string& task_id, const std::string& reason = "changed my mind") {
    auto ack = nats::publish_cancel(bus_->js(), "fleet-a", "test", {task_id, reason, "test"});
    ASSERT_TRUE(ack) << ack.error().message;
  }
  // The stored result is task.failed with `cancelled`, not retryable, and task.cancelled came.
  void expect_cancelled(const std::string& task_id) {
    auto result = bus_->wait_result(task_id);
    ASSERT_TRUE(result) << "no result for " << task_id << "\n" << logs();
    EXPECT_EQ((*result)["type"], "task.failed") << result->dump();
    EXPECT_EQ((*result)["payload"]["error"], "cancelled") << result->dump();
    EXPECT_EQ((*result)["payload"]["retryable"], false) << result->dump();
    EXPECT_TRUE(eventually([&] { return !bus_->events_for(task_id, "task.cancelled").empty(); })) << logs();
    EXPECT_EQ(bus_->stored_results(task_id), 1u);
  }
  std::string logs() {
    std::string text = gateway_ ? "gateway:\n" + gateway_->output() : "";
    for (auto& b : bridges_) text += "\nbridge:\n" + b->output();
    return text;
  }
  bool gateway_heard_cancel() {
    return eventually([&] { return gateway_->output().find("task.cancel_asked") != std::string::npos; });
  }

  NatsServer nats_;
  FakeGateway llm_;
  FakeGateway knights_;  // knights' gateways for the lead test: outlives the bridges that call it
  ScriptedLlm script_{llm_};
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  TempWorkspace ws_{"basic"};
  std::unique_ptr<GatewayProcess> gateway_;
  std::vector<std::unique_ptr<BridgeProcess>> bridges_;
  std::unique_ptr<Bus> bus_ = std::make_unique<Bus>(nats_.url());
};

TEST_F(BridgeCancel, RunningTaskStopsAfterTheTurnInFlight) {
  start_gateway();
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(llm_.wait_for_started(1)) << logs();
  cancel(task.id);
  ASSERT_TRUE(gateway_heard_cancel()) << logs();
  gate_->open();  // the turn in flight answers with a tool call: the loop must stop there
  expect_cancelled(task.id);
  EXPECT_EQ(llm_.call_count(), 1u) << "an LLM call after the cancel\n" << logs();
}

TEST_F(BridgeCancel, QueuedTaskEndsWithoutAnLlmCall) {
  start_gateway();
  start_bridge("1");
  auto first = bus_->publish_task("security.briefing");
  ASSERT_TRUE(llm_.wait_for_started(1)) << logs();
  auto second = bus_->publish_task("security.briefing");
  cancel(second.id);
  cancel(first.id);  // frees the slot: the second is fetched next
  ASSERT_TRUE(gateway_heard_cancel()) << logs();
  gate_->open();
  expect_cancelled(first.id);
  expect_cancelled(second.id);
  EXPECT_EQ(llm_.call_count(), 1u) << "the queued task reached the LLM\n" << logs();
}

TEST_F(BridgeCancel, CancelBeforeTheTaskIsPublishedFromTheCli) {
  start_gateway();
  start_bridge();
  auto envelope = contract::make_envelope(std::string(contract::type::task_request), "test",
                                          {{"task", "security.briefing"}, {"params", json::object()}}, std::chrono::system_clock::now());
  envelope.fleet = "fleet-a";
  std::string binary = std::string(RT_BIN_DIR) + "/roundtable";
  auto cli = run_command({binary, "cancel", envelope.id, "--reason", "not needed"}, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}});
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  bus_->publish_raw(*contract::task_subject("fleet-a", "security", "briefing"), contract::serialize(envelope), envelope.id);
  expect_cancelled(envelope.id);
  auto result = bus_->wait_result(envelope.id);
  ASSERT_TRUE(result);
  EXPECT_NE((*result)["payload"]["message"].get<std::string>().find("not needed"), std::string::npos) << result->dump();
  EXPECT_EQ(llm_.call_count(), 0u) << logs();
}

// The bridge reads the cancels already stored when it starts (and needs no request per task
// from then on): a task cancelled before any bridge ran still ends without an LLM call.
TEST_F(BridgeCancel, CancelStoredBeforeTheBridgeStartedStillApplies) {
  auto envelope = contract::make_envelope(std::string(contract::type::task_request), "test",
                                          {{"task", "security.briefing"}, {"params", json::object()}}, std::chrono::system_clock::now());
  envelope.fleet = "fleet-a";
  std::string binary = std::string(RT_BIN_DIR) + "/roundtable";
  for (const auto& id : {envelope.id, std::string("some-other-task")}) {
    auto cli = run_command({binary, "cancel", id, "--reason", "before any bridge"}, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}});
    ASSERT_EQ(cli.exit_code, 0) << cli.output;
  }
  start_gateway();
  start_bridge();
  bus_->publish_raw(*contract::task_subject("fleet-a", "security", "briefing"), contract::serialize(envelope), envelope.id);
  expect_cancelled(envelope.id);
  EXPECT_EQ(llm_.call_count(), 0u) << logs();
  EXPECT_EQ(logs().find("cancel.load_failed"), std::string::npos) << logs();
}

TEST_F(BridgeCancel, AcrossTwoReplicasTheOneHoldingTheTaskStopsIt) {
  start_gateway();
  start_bridge();
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(llm_.wait_for_started(1)) << logs();
  cancel(task.id);
  ASSERT_TRUE(gateway_heard_cancel()) << logs();
  gate_->open();
  expect_cancelled(task.id);
  EXPECT_EQ(llm_.call_count(), 1u) << logs();
  int holders = 0;
  for (auto& b : bridges_) holders += b->output().find("cancel.running_task") != std::string::npos ? 1 : 0;
  EXPECT_EQ(holders, 1) << "only the replica holding the task acts on the cancel\n" << logs();
}

TEST_F(BridgeCancel, RunningSkillIsKilled) {
  ws_.write("skills/sleepy/SKILL.md",
            "---\nname: sleepy\ndescription: Sleeps a long time.\ninput:\n  type: object\n  properties: {}\n"
            "command: [./sleepy.sh]\ntimeout: 60s\n---\nSleeps.\n");
  ws_.write("skills/sleepy/sleepy.sh", "#!/bin/sh\necho $$ > sleepy.pid.tmp && mv sleepy.pid.tmp sleepy.pid\nexec sleep 300\n", true);
  std::string yaml = ws_.read("knight.yaml");
  auto at = yaml.find("skills: [echo]");
  ASSERT_NE(at, std::string::npos);
  ws_.write("knight.yaml", yaml.replace(at, 14, "skills: [echo, sleepy]"));
  script_.then(anthropic_tool_use("sleepy", json::object()));
  start_gateway();
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  std::string pid_text;
  ASSERT_TRUE(eventually([&] {
    pid_text = ws_.read("skills/sleepy/sleepy.pid");
    return !pid_text.empty();
  })) << logs();
  pid_t pid = std::stoi(pid_text);
  ASSERT_EQ(::kill(pid, 0), 0) << "the skill runs";
  cancel(task.id);
  expect_cancelled(task.id);
  EXPECT_NE(::kill(pid, 0), 0) << "the skill outlived its task's cancel";
  EXPECT_EQ(llm_.call_count(), 1u) << logs();
}

// A lead whose delegation deadline passes cancels what is still unanswered: the knight that
// comes up later answers it `cancelled` without calling its gateway.
TEST_F(BridgeCancel, LeadCancelsTheDelegatedTasksItStoppedWaitingFor) {
  bridges_.push_back(std::make_unique<BridgeProcess>(nats_.url(), knights_.url(),
                                                     std::map<std::string, std::string>{{"AGENT_ID", "galahad"}, {"TASK_DOMAINS", "security"}}));
  bridges_.back()->start();
  ASSERT_TRUE(bridges_.back()->wait_ready()) << logs();
  TempWorkspace lead_ws("lead");
  lead_ws.write("knight.yaml",
                "name: tim\nfleet: fleet-a\nrole: lead\ndomains: [lead]\n"
                "model: {provider: offline, name: offline, max_tokens: 2000}\nlimits: {max_tool_iterations: 3}\nskills: []\n"
                "delegates:\n  - {agent: galahad, task: security.briefing}\n  - {agent: percival, task: comms.briefing}\n"
                "delegate_deadline: 2s\n");
  GatewayProcess lead(lead_ws.dir(), {{"LLM_PROVIDER", "offline"}, {"NATS_URL", nats_.url()}});
  lead.start();
  ASSERT_TRUE(lead.wait_ready()) << lead.output();
  auto [status, body] = lead.task("lead.briefing");
  ASSERT_EQ(status, 200) << body.dump() << lead.output();
  EXPECT_NE(body.dump().find("Missing: percival"), std::string::npos) << body.dump();
  auto cancels = bus_->js().subjects(contract::kCancelsStream, "fleet-a.cancel.*");
  ASSERT_TRUE(cancels) << cancels.error().message;
  ASSERT_EQ(cancels->size(), 1u) << "only percival's unanswered task is cancelled\n" << lead.output();
  std::string percival_task = cancels->front().substr(std::string("fleet-a.cancel.").size());

  bridges_.push_back(std::make_unique<BridgeProcess>(nats_.url(), knights_.url(),
                                                     std::map<std::string, std::string>{{"AGENT_ID", "percival"}, {"TASK_DOMAINS", "comms"}}));
  bridges_.back()->start();
  auto result = bus_->wait_result(percival_task);
  ASSERT_TRUE(result) << logs();
  EXPECT_EQ((*result)["payload"]["error"], "cancelled") << result->dump();
  EXPECT_NE((*result)["payload"]["message"].get<std::string>().find("tim"), std::string::npos) << result->dump();
  for (const auto& call : knights_.calls()) EXPECT_NE(call.task(), "comms.briefing") << "the cancelled task reached a gateway";
}

}  // namespace
}  // namespace rt::testing
