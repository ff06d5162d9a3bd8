// roundtable ask and fanout, with the test playing the knight on a real nats-server.
#include <signal.h>

#include <fstream>

#include "cli_support.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class CliAsk : public ::testing::Test {
 protected:
  void SetUp() override {
    bus_ = std::make_unique<TestBus>(nats_.url());
    bus_->apply_streams();
  }
  NatsServer nats_;
  std::unique_ptr<TestBus> bus_;
};

TEST_F(CliAsk, PublishesTheContractEnvelopeAndPrintsTheResultContent) {
  PlayedKnight galahad(*bus_, "galahad", "security",
                       [](const contract::Envelope& task) { return result_envelope("galahad", task, "## All quiet\nno open ports"); });
  auto before = std::chrono::system_clock::now() - 5s;
  auto result = roundtable(nats_, {"ask", "security.briefing", "--params", R"({"scope":"home","depth":2})", "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("## All quiet\nno open ports"), std::string::npos) << result.output;

  ASSERT_EQ(galahad.received().size(), 1u);
  auto got = galahad.received()[0];
  EXPECT_EQ(got.subject, "fleet-a.tasks.security.briefing");
  const json& env = got.envelope;
  EXPECT_TRUE(is_uuid_v4(env.value("id", ""))) << env.dump();
  EXPECT_EQ(got.msg_id, std::optional<std::string>(env.value("id", ""))) << "Nats-Msg-Id is the task id";
  EXPECT_EQ(env["version"], "1.0");
  EXPECT_EQ(env["type"], "task.request");
  EXPECT_EQ(env["from"], "cli");
  EXPECT_EQ(env["fleet"], "fleet-a");
  EXPECT_EQ(env["priority"], "normal");
  EXPECT_EQ(env["ttl"], 3600);
  auto sent = parse_rfc3339(env.value("timestamp", ""));
  ASSERT_TRUE(sent.has_value()) << env.dump();
  EXPECT_GT(*sent, before);
  EXPECT_EQ(env["payload"]["task"], "security.briefing");
  EXPECT_EQ(env["payload"]["params"], json::parse(R"({"scope":"home","depth":2})"));
  EXPECT_TRUE(contract::parse_envelope(got.envelope.dump()).ok()) << "a valid envelope by our own parser";

  // And the result it read is the one stored under result-<id>.
  auto stored = bus_->js().last_message(contract::kResultsStream, "fleet-a.results.security." + env.value("id", ""));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->header("Nats-Msg-Id"), std::optional<std::string>("result-" + env.value("id", "")));
}

TEST_F(CliAsk, FlagsSetPriorityFleetSenderAndJsonOutput) {
  PlayedKnight knight(*bus_, "gawain", "intel", [](const contract::Envelope& task) { return result_envelope("gawain", task, "found it"); },
                      "fleet-b");
  auto result = roundtable(nats_, {"ask", "intel.lookup", "--priority", "critical", "--fleet", "fleet-b", "--from", "tim", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto doc = json::parse(result.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << "one JSON object: " << result.output;
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_EQ(doc["content"], "found it");
  EXPECT_EQ(doc["agent"], "gawain");
  EXPECT_EQ(doc["task"], "intel.lookup");
  EXPECT_EQ(doc["envelope"]["type"], "task.result");
  ASSERT_EQ(knight.received().size(), 1u);
  auto env = knight.received()[0].envelope;
  EXPECT_EQ(knight.received()[0].subject, "fleet-b.tasks.intel.lookup");
  EXPECT_EQ(env["priority"], "critical");
  EXPECT_EQ(env["fleet"], "fleet-b");
  EXPECT_EQ(env["from"], "tim");
  EXPECT_EQ(doc["taskId"], env["id"]);
}

TEST_F(CliAsk, AFailureExitsOneWithItsCodeAndMessage) {
  PlayedKnight galahad(*bus_, "galahad", "security", [](const contract::Envelope& task) {
    return failure_envelope("galahad", task, ErrorCode::skill_missing, "no scanner installed");
  });
  auto result = roundtable(nats_, {"ask", "security.scan", "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("skill_missing: no scanner installed"), std::string::npos) << result.output;

  auto as_json = roundtable(nats_, {"ask", "security.scan", "--wait", "30s", "--json"});
  EXPECT_EQ(as_json.exit_code, 1);
  auto doc = json::parse(as_json.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << as_json.output;
  EXPECT_EQ(doc["status"], "failed");
  EXPECT_EQ(doc["error"], "skill_missing");
  EXPECT_EQ(doc["message"], "no scanner installed");
}

TEST_F(CliAsk, NoAnswerIsATimeoutWithExitOne) {
  auto result = roundtable(nats_, {"ask", "nobody.home", "--wait", "300ms"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("no result within 300ms"), std::string::npos) << result.output;
  auto as_json = roundtable(nats_, {"ask", "nobody.home", "--wait", "300ms", "--json"});
  EXPECT_EQ(as_json.exit_code, 1);
  EXPECT_EQ(json::parse(as_json.output, nullptr, false).value("status", ""), "timeout") << as_json.output;
  // The tasks are still queued for a knight that comes later.
  auto queued = bus_->js().count_messages(contract::kTasksStream, "fleet-a.tasks.nobody.>");
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(*queued, 2u);
}

TEST_F(CliAsk, AResultThatWentByDuringAnOutageIsReadFromTheStream) {
  // ask publishes and waits; we freeze it, restart NATS and answer while it is away, so its
  // subscription never sees the result: only ROUNDTABLE_RESULTS has it.
  auto log = make_temp_dir("rt-ask-outage") / "ask.log";
  ChildProcess ask({roundtable_binary(), "ask", "security.briefing", "--wait", "60s"}, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}}, log);
  ask.start();
  std::string task_id;
  ASSERT_TRUE(eventually([&] {
    auto task = bus_->js().last_message(contract::kTasksStream, "fleet-a.tasks.security.briefing");
    if (!task.ok() || !task->has_value()) return false;
    task_id = json::parse((*task)->data()).value("id", "");
    return true;
  })) << ask.output();
  ask.signal(SIGSTOP);
  nats_.restart();
  ASSERT_TRUE(eventually([&] { return bus_->connection().connected(); }, 30s));
  contract::Envelope task;
  task.id = task_id;
  task.from = "cli";
  task.fleet = "fleet-a";
  auto reply = result_envelope("galahad", task, "answered while you were away");
  ASSERT_TRUE(eventually([&] { return bus_->publish("fleet-a.results.security." + task_id, reply, "result-" + task_id).ok(); }, 30s));
  ask.signal(SIGCONT);
  auto code = ask.wait(60s);
  EXPECT_EQ(code, std::optional<int>(0)) << ask.output();
  EXPECT_NE(ask.output().find("answered while you were away"), std::string::npos) << ask.output();
  std::filesystem::remove_all(log.parent_path());
}

TEST_F(CliAsk, FanoutSendsAllAtOnceAndPrintsOneTable) {
  PlayedKnight galahad(*bus_, "galahad", "security", [](const contract::Envelope& task) -> std::optional<contract::Envelope> {
    auto request = contract::parse_task_request(task.payload);
    if (request->task == "security.broken") return failure_envelope("galahad", task, ErrorCode::invalid_params, "broken on purpose");
    return result_envelope("galahad", task, "fine " + request->task + " n=" + request->params.value("n", json(0)).dump());
  });
  PlayedKnight percival(*bus_, "percival", "comms", [](const contract::Envelope& task) { return result_envelope("percival", task, "sent"); });
  auto dir = make_temp_dir("rt-fanout");
  std::ofstream(dir / "tasks.yaml") << "- {task: security.one, params: {n: 1}}\n"
                                       "- {task: comms.two, priority: high}\n"
                                       "- {task: security.broken}\n";
  auto result = roundtable(nats_, {"fanout", (dir / "tasks.yaml").string(), "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 1) << "one task failed:\n" << result.output;
  EXPECT_NE(result.output.find("TASK"), std::string::npos) << result.output;
  auto one = line_with(result.output, "security.one");
  EXPECT_NE(one.find("completed"), std::string::npos) << one;
  EXPECT_NE(one.find("galahad"), std::string::npos) << one;
  EXPECT_NE(one.find("fine security.one n=1"), std::string::npos) << one;
  EXPECT_NE(one.find("ms"), std::string::npos) << "a duration: " << one;
  auto two = line_with(result.output, "comms.two");
  EXPECT_NE(two.find("completed"), std::string::npos) << two;
  EXPECT_NE(two.find("percival"), std::string::npos) << two;
  auto broken = line_with(result.output, "security.broken");
  EXPECT_NE(broken.find("failed"), std::string::npos) << broken;
  EXPECT_NE(broken.find("invalid_params: broken on purpose"), std::string::npos) << broken;
  EXPECT_EQ(occurrences(result.output, "\n"), 4u) << "a header and three rows:\n" << result.output;
  ASSERT_EQ(percival.received().size(), 1u);
  EXPECT_EQ(percival.received()[0].envelope["priority"], "high");

  std::ofstream(dir / "good.yaml") << "tasks:\n  - {task: comms.a}\n  - {task: comms.b}\n";
  auto good = roundtable(nats_, {"fanout", (dir / "good.yaml").string(), "--json"});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  auto doc = json::parse(good.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << good.output;
  EXPECT_EQ(doc["ok"], true);
  ASSERT_EQ(doc["tasks"].size(), 2u);
  EXPECT_EQ(doc["tasks"][0]["status"], "completed");
  std::filesystem::remove_all(dir);
}

TEST_F(CliAsk, FanoutCountsUnansweredTasksAsTimeouts) {
  PlayedKnight galahad(*bus_, "galahad", "security", [](const contract::Envelope& task) { return result_envelope("galahad", task, "ok"); });
  auto dir = make_temp_dir("rt-fanout-timeout");
  std::ofstream(dir / "tasks.yaml") << "- {task: security.one}\n- {task: nobody.two}\n";
  auto result = roundtable(nats_, {"fanout", (dir / "tasks.yaml").string(), "--wait", "2s"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(line_with(result.output, "security.one").find("completed"), std::string::npos) << result.output;
  EXPECT_NE(line_with(result.output, "nobody.two").find("timeout"), std::string::npos) << result.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rt::testing
