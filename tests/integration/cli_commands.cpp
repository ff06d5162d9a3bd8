// The roundtable CLI against a real nats-server (and real bridges where a knight must answer).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class Cli : public ::testing::Test {
 protected:
  CommandResult roundtable(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    args.insert(args.begin(), std::string(RT_BIN_DIR) + "/roundtable");
    return run_command(args, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}}, timeout);
  }
  BridgeProcess& start_knight() {
    bridge_ = std::make_unique<BridgeProcess>(nats_.url(), gateway_.url());
    bridge_->start();
    EXPECT_TRUE(bridge_->wait_ready()) << bridge_->output();
    return *bridge_;
  }
  NatsServer nats_;
  FakeGateway gateway_;
  std::unique_ptr<BridgeProcess> bridge_;
};

TEST_F(Cli, StreamsApplyCreatesThenFindsUnchanged) {
  auto first = roundtable({"streams", "apply"});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  for (const char* stream : {"ROUNDTABLE_TASKS", "ROUNDTABLE_RESULTS", "ROUNDTABLE_EVENTS", "ROUNDTABLE_HEARTBEAT"}) {
    auto line = first.output.find(stream);
    ASSERT_NE(line, std::string::npos) << first.output;
    EXPECT_NE(first.output.substr(line, 40).find("created"), std::string::npos) << first.output;
  }
  auto second = roundtable({"streams", "apply"});
  EXPECT_EQ(second.exit_code, 0);
  size_t unchanged = 0;
  for (size_t pos = 0; (pos = second.output.find("unchanged", pos)) != std::string::npos; ++pos) ++unchanged;
  EXPECT_EQ(unchanged, 4u) << second.output;
}

TEST_F(Cli, AskPrintsTheResultContent) {
  start_knight();
  auto result = roundtable({"ask", "security.briefing", "--params", R"({"scope":"home"})", "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("ok: security.briefing"), std::string::npos) << result.output;
  ASSERT_EQ(gateway_.call_count(), 1u);
  EXPECT_EQ(gateway_.calls()[0].json["payload"]["params"]["scope"], "home");
  EXPECT_EQ(gateway_.calls()[0].json["from"], "cli");
  auto as_json = roundtable({"ask", "security.scan", "--json", "--priority", "high"});
  EXPECT_EQ(as_json.exit_code, 0);
  auto doc = json::parse(as_json.output.substr(as_json.output.find('{')), nullptr, false);
  EXPECT_EQ(doc["result"]["payload"]["status"], "completed") << as_json.output;
}

TEST_F(Cli, AskShowsAFailureAndExitsOne) {
  gateway_.set_handler([](const GatewayCall&) { return failed_reply("skill_missing", "no such skill", false); });
  start_knight();
  auto result = roundtable({"ask", "security.briefing", "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("skill_missing: no such skill"), std::string::npos) << result.output;
}

TEST_F(Cli, AskTimesOutWhenNobodyAnswers) {
  roundtable({"streams", "apply"});
  auto result = roundtable({"ask", "nobody.home", "--wait", "500ms"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("no result within 500ms"), std::string::npos) << result.output;
}

TEST_F(Cli, BadUsageExitsTwoWithOneLine) {
  EXPECT_EQ(roundtable({"ask"}).exit_code, 2);
  EXPECT_EQ(roundtable({"ask", "security.x", "--priority", "urgent"}).exit_code, 2);
  EXPECT_EQ(roundtable({"frobnicate"}).exit_code, 2);
  auto help = roundtable({"fanout", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("usage: roundtable fanout"), std::string::npos);
}

TEST_F(Cli, FanoutPrintsOneRowPerTask) {
  gateway_.set_handler([](const GatewayCall& call) {
    if (call.task() == "security.broken") return failed_reply("invalid_params", "broken on purpose", false);
    return completed_reply("fine " + call.task());
  });
  start_knight();
  auto dir = make_temp_dir("rt-fanout");
  std::ofstream(dir / "tasks.yaml") << "- {task: security.one, params: {n: 1}}\n- {task: security.two, priority: high}\n"
                                       "- {task: security.broken}\n";
  auto result = roundtable({"fanout", (dir / "tasks.yaml").string(), "--wait", "30s"});
  EXPECT_EQ(result.exit_code, 1) << "one task failed";
  EXPECT_NE(result.output.find("TASK"), std::string::npos);
  for (const char* row : {"security.one", "security.two", "security.broken"}) EXPECT_NE(result.output.find(row), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("galahad"), std::string::npos);
  size_t completed = 0;
  for (size_t pos = 0; (pos = result.output.find("completed", pos)) != std::string::npos; ++pos) ++completed;
  EXPECT_EQ(completed, 2u) << result.output;
  std::filesystem::remove_all(dir);
}

TEST_F(Cli, WatchPrintsEventsLive) {
  roundtable({"streams", "apply"});
  auto log = std::filesystem::temp_directory_path() / ("rt-watch-" + std::to_string(nats_.port()) + ".log");
  std::filesystem::remove(log);
  ChildProcess watch({std::string(RT_BIN_DIR) + "/roundtable", "watch"}, {{"NATS_URL", nats_.url()}}, log);
  watch.start();
  ASSERT_TRUE(eventually([&] { return watch.output().find("watching fleet fleet-a") != std::string::npos; }));
  start_knight();
  Bus bus(nats_.url());
  auto task = bus.publish_task("security.briefing");
  ASSERT_TRUE(eventually([&] { return watch.output().find("task.result") != std::string::npos; })) << watch.output();
  EXPECT_NE(watch.output().find("task.claimed"), std::string::npos);
  EXPECT_NE(watch.output().find(task.id.substr(0, 8)), std::string::npos);
  EXPECT_TRUE(eventually([&] { return watch.output().find("heartbeat") != std::string::npos; })) << watch.output();
  watch.signal(SIGTERM);
  EXPECT_EQ(watch.wait(std::chrono::seconds(10)), std::optional<int>(0));
  std::filesystem::remove(log);
}

TEST_F(Cli, KnightsListsTheRosterFromHeartbeats) {
  start_knight();
  Bus bus(nats_.url());
  ASSERT_TRUE(bus.heartbeats().wait_for_count(1));
  auto result = roundtable({"knights"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("galahad"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("security"), std::string::npos);
  EXPECT_NE(result.output.find("degraded"), std::string::npos) << "no Redis in this test";
  auto as_json = roundtable({"knights", "--json"});
  auto roster = json::parse(as_json.output);
  ASSERT_EQ(roster.size(), 1u);
  EXPECT_EQ(roster[0]["agent"], "galahad");
}

TEST_F(Cli, KnightNewScaffoldsFromTheTemplateAndRefusesToOverwrite) {
  auto dir = make_temp_dir("rt-knights");
  std::filesystem::copy(std::filesystem::path(RT_SOURCE_DIR) / "knights/template", dir / "template", std::filesystem::copy_options::recursive);
  auto result = roundtable({"knight", "new", "bedivere", "--domain", "garden", "--dir", dir.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::ifstream yaml(dir / "bedivere/knight.yaml");
  std::string text((std::istreambuf_iterator<char>(yaml)), {});
  EXPECT_NE(text.find("name: bedivere"), std::string::npos) << text;
  EXPECT_NE(text.find("domains: [garden]"), std::string::npos);
  EXPECT_EQ(text.find("__NAME__"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "bedivere/skills/example/SKILL.md"));
  auto again = roundtable({"knight", "new", "bedivere", "--domain", "garden", "--dir", dir.string()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("already exists"), std::string::npos);
  EXPECT_EQ(roundtable({"knight", "new", "Bad.Name", "--domain", "garden", "--dir", dir.string()}).exit_code, 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rt::testing
