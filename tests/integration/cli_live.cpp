// roundtable watch and roundtable knights, with the test publishing what knights would.
#include <signal.h>

#include "cli_support.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class CliLive : public ::testing::Test {
 protected:
  void SetUp() override {
    bus_ = std::make_unique<TestBus>(nats_.url());
    bus_->apply_streams();
  }

  contract::Envelope heartbeat(const std::string& agent, const std::string& status, json extra = json::object(),
                               const std::string& fleet = "fleet-a") {
    json payload = {{"status", status},
                    {"uptime", 120},
                    {"capabilities", {"security.briefing"}},
                    {"activeTaskCount", 1},
                    {"model", "claude-sonnet-4-5"},
                    {"version", "0.1.0"},
                    {"gateway", "up"},
                    {"consumers", {{{"name", fleet + "-" + agent + "-security"}, {"pending", 4}, {"ackPending", 1}, {"redelivered", 0}}}}};
    payload.update(extra);
    auto env = contract::make_envelope("heartbeat", agent, payload, std::chrono::system_clock::now());
    env.fleet = fleet;
    return env;
  }

  void publish_heartbeat(const contract::Envelope& env, const std::string& fleet = "fleet-a") {
    auto ack = bus_->publish(fleet + ".heartbeat." + env.from, env, env.id);
    ASSERT_TRUE(ack.ok()) << ack.error().message;
  }

  NatsServer nats_;
  std::unique_ptr<TestBus> bus_;
};

TEST_F(CliLive, WatchPrintsEventsResultsAndHeartbeatsUntilSigterm) {
  auto dir = make_temp_dir("rt-watch");
  ChildProcess watch({roundtable_binary(), "watch"}, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}}, dir / "watch.log");
  watch.start();
  ASSERT_TRUE(eventually([&] { return watch.output().find("watching fleet fleet-a") != std::string::npos; })) << watch.output();

  std::string task_id = make_uuid_v4();
  auto claimed = contract::make_envelope("task.claimed", "galahad", {{"agent", "galahad"}, {"attempt", 1}, {"message", "claimed by the test"}},
                                         std::chrono::system_clock::now());
  claimed.correlation_id = task_id;
  ASSERT_TRUE(bus_->publish("roundtable.events.fleet-a.task.claimed", claimed, claimed.id).ok());
  ASSERT_TRUE(eventually([&] { return watch.output().find("claimed by the test") != std::string::npos; })) << watch.output();
  auto line = line_with(watch.output(), "claimed by the test");
  EXPECT_NE(line.find("event"), std::string::npos) << line;
  EXPECT_NE(line.find("task.claimed"), std::string::npos) << line;
  EXPECT_NE(line.find("galahad"), std::string::npos) << line;
  EXPECT_NE(line.find(task_id.substr(0, 8)), std::string::npos) << line;
  EXPECT_EQ(line.substr(0, 8), format_rfc3339(*parse_rfc3339(claimed.timestamp)).substr(11, 8)) << line;

  contract::Envelope task;
  task.id = task_id;
  task.fleet = "fleet-a";
  ASSERT_TRUE(bus_->publish("fleet-a.results.security." + task_id, result_envelope("galahad", task, "the answer\nmore"), "result-" + task_id).ok());
  ASSERT_TRUE(eventually([&] { return watch.output().find("the answer") != std::string::npos; })) << watch.output();
  EXPECT_NE(line_with(watch.output(), "the answer").find("result"), std::string::npos);
  EXPECT_EQ(watch.output().find("more"), std::string::npos) << "one line per message";

  publish_heartbeat(heartbeat("percival", "degraded"));
  ASSERT_TRUE(eventually([&] { return watch.output().find("percival") != std::string::npos; })) << watch.output();
  EXPECT_NE(line_with(watch.output(), "percival").find("degraded active=1 gateway=up"), std::string::npos) << watch.output();

  // Another fleet's traffic is not shown.
  auto other = contract::make_envelope("task.claimed", "mordred", {{"agent", "mordred"}, {"message", "other fleet"}}, std::chrono::system_clock::now());
  ASSERT_TRUE(bus_->publish("roundtable.events.fleet-b.task.claimed", other, other.id).ok());
  auto marker = contract::make_envelope("knight.online", "gawain", {{"agent", "gawain"}, {"domains", {"intel"}}}, std::chrono::system_clock::now());
  ASSERT_TRUE(bus_->publish("roundtable.events.fleet-a.knight.online", marker, marker.id).ok());
  ASSERT_TRUE(eventually([&] { return watch.output().find("domains intel") != std::string::npos; })) << watch.output();
  EXPECT_EQ(watch.output().find("mordred"), std::string::npos) << watch.output();

  watch.signal(SIGTERM);
  EXPECT_EQ(watch.wait(10s), std::optional<int>(0)) << watch.output();
  std::filesystem::remove_all(dir);
}

TEST_F(CliLive, WatchJsonPrintsOneObjectPerLine) {
  auto dir = make_temp_dir("rt-watch-json");
  ChildProcess watch({roundtable_binary(), "watch", "--json", "--no-heartbeats"}, {{"NATS_URL", nats_.url()}, {"FLEET_ID", "fleet-a"}},
                     dir / "watch.log");
  watch.start();
  ASSERT_TRUE(eventually([&] { return watch.output().find("watching fleet") != std::string::npos; })) << watch.output();
  publish_heartbeat(heartbeat("percival", "healthy"));
  auto event = contract::make_envelope("task.progress", "galahad", {{"percent", 60}, {"message", "halfway"}}, std::chrono::system_clock::now());
  ASSERT_TRUE(bus_->publish("roundtable.events.fleet-a.task.progress", event, event.id).ok());
  ASSERT_TRUE(eventually([&] { return watch.output().find("halfway") != std::string::npos; })) << watch.output();
  auto doc = json::parse(line_with(watch.output(), "halfway"), nullptr, false);
  ASSERT_TRUE(doc.is_object()) << watch.output();
  EXPECT_EQ(doc["subject"], "roundtable.events.fleet-a.task.progress");
  EXPECT_EQ(doc["envelope"]["id"], event.id);
  EXPECT_EQ(watch.output().find("percival"), std::string::npos) << "--no-heartbeats: " << watch.output();
  watch.signal(SIGINT);
  EXPECT_EQ(watch.wait(10s), std::optional<int>(0)) << watch.output();
  std::filesystem::remove_all(dir);
}

TEST_F(CliLive, KnightsShowsTheLastHeartbeatOfEveryKnightOfTheFleet) {
  publish_heartbeat(heartbeat("galahad", "healthy"));
  publish_heartbeat(heartbeat("gawain", "unhealthy", {{"capabilities", {"intel.lookup", "news.digest"}}, {"model", "gpt-4o"}}));
  publish_heartbeat(heartbeat("gawain", "degraded", {{"domains", {"intel", "news"}}, {"model", "gpt-4o"}, {"activeTaskCount", 3}}));
  publish_heartbeat(heartbeat("mordred", "healthy", json::object(), "fleet-b"), "fleet-b");

  auto result = roundtable(nats_, {"knights"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("AGENT"), std::string::npos) << result.output;
  auto galahad = line_with(result.output, "galahad");
  EXPECT_NE(galahad.find("security"), std::string::npos) << galahad;
  EXPECT_NE(galahad.find("healthy"), std::string::npos) << galahad;
  EXPECT_NE(galahad.find("claude-sonnet-4-5"), std::string::npos) << galahad;
  auto gawain = line_with(result.output, "gawain");
  EXPECT_NE(gawain.find("intel,news"), std::string::npos) << gawain;
  EXPECT_NE(gawain.find("degraded"), std::string::npos) << "the last heartbeat counts: " << gawain;
  EXPECT_EQ(result.output.find("mordred"), std::string::npos) << "another fleet: " << result.output;
  EXPECT_EQ(occurrences(result.output, "\n"), 3u) << result.output;

  auto as_json = roundtable(nats_, {"knights", "--json"});
  EXPECT_EQ(as_json.exit_code, 0);
  auto doc = json::parse(as_json.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << as_json.output;
  EXPECT_EQ(doc["fleet"], "fleet-a");
  ASSERT_EQ(doc["knights"].size(), 2u) << as_json.output;
  EXPECT_EQ(doc["knights"][0]["agent"], "galahad");
  EXPECT_EQ(doc["knights"][0]["pending"], 4);
  EXPECT_EQ(doc["knights"][0]["activeTasks"], 1);
  EXPECT_GE(doc["knights"][0]["heartbeatAgeSeconds"].get<int>(), 0);
  EXPECT_EQ(doc["knights"][1]["agent"], "gawain");
  EXPECT_EQ(doc["knights"][1]["activeTasks"], 3);

  auto fleet_b = roundtable(nats_, {"knights", "--fleet", "fleet-b", "--json"});
  auto b = json::parse(fleet_b.output, nullptr, false);
  ASSERT_TRUE(b.is_object()) << fleet_b.output;
  ASSERT_EQ(b["knights"].size(), 1u);
  EXPECT_EQ(b["knights"][0]["agent"], "mordred");
}

TEST_F(CliLive, KnightsSaysSoWhenNobodyIsThere) {
  auto result = roundtable(nats_, {"knights"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("no knight of fleet fleet-a"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rt::testing
