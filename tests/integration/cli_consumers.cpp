// roundtable consumers / consumers prune through the real binary on a real nats-server: a
// departed knight's consumer blocks its domain until prune removes it; a live knight's stays.
#include "cli_support.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class CliConsumers : public ::testing::Test {
 protected:
  void SetUp() override {
    bus_ = std::make_unique<TestBus>(nats_.url());
    bus_->apply_streams();
  }

  void publish_heartbeat(const std::string& agent, SystemTime sent, const std::string& domain) {
    json payload = {{"status", "healthy"},
                    {"capabilities", {domain + ".briefing"}},
                    {"consumers", {{{"name", "fleet-a-" + agent + "-" + domain}, {"pending", 0}, {"ackPending", 0}}}}};
    auto env = contract::make_envelope("heartbeat", agent, payload, sent);
    env.fleet = "fleet-a";
    auto ack = bus_->publish("fleet-a.heartbeat." + agent, env, env.id);
    ASSERT_TRUE(ack.ok()) << ack.error().message;
  }

  // A consumer as the bridge of `agent` would create it, with nobody fetching.
  Status bind_consumer(const std::string& agent, const std::string& domain) {
    nats::ConsumerSpec spec;
    spec.stream = contract::kTasksStream;
    spec.durable = *contract::consumer_name("fleet-a", agent, domain);
    spec.filter_subject = *contract::consumer_filter("fleet-a", domain);
    return bus_->js().ensure_consumer(spec);
  }

  void publish_task(const std::string& domain) {
    auto env = contract::make_envelope("task.request", "tim", {{"task", domain + ".briefing"}}, std::chrono::system_clock::now());
    env.fleet = "fleet-a";
    ASSERT_TRUE(bus_->publish("fleet-a.tasks." + domain + ".briefing", env, env.id).ok());
  }

  bool exists(const std::string& name) { return bus_->js().consumer_state(contract::kTasksStream, name).ok(); }

  static json row_named(const json& doc, const std::string& name) {
    for (const auto& row : doc["consumers"])
      if (row["name"] == name) return row;
    return nullptr;
  }

  NatsServer nats_;
  std::unique_ptr<TestBus> bus_;
};

TEST_F(CliConsumers, ListsEachConsumerWithItsKnightLagActivityAndLiveness) {
  PlayedKnight galahad(*bus_, "galahad", "security", [](const contract::Envelope&) { return std::nullopt; });
  publish_heartbeat("galahad", std::chrono::system_clock::now(), "security");
  ASSERT_TRUE(bind_consumer("bors", "garden").ok());
  publish_heartbeat("bors", std::chrono::system_clock::now() - 2h, "garden");
  publish_task("garden");
  publish_task("garden");

  auto listed = roundtable(nats_, {"consumers", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  auto doc = json::parse(listed.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << listed.output;
  EXPECT_EQ(doc["fleet"], "fleet-a");
  auto bors = row_named(doc, "fleet-a-bors-garden");
  ASSERT_TRUE(bors.is_object()) << listed.output;
  EXPECT_EQ(bors["knight"], "bors");
  EXPECT_EQ(bors["filter"], "fleet-a.tasks.garden.>");
  EXPECT_EQ(bors["pending"], 2);
  EXPECT_EQ(bors["ackPending"], 0);
  EXPECT_EQ(bors["alive"], false);
  EXPECT_TRUE(bors["lastActive"].is_string()) << "creation time stands in before the first delivery";
  auto live = row_named(doc, "fleet-a-galahad-security");
  ASSERT_TRUE(live.is_object()) << listed.output;
  EXPECT_EQ(live["knight"], "galahad");
  EXPECT_EQ(live["alive"], true);

  auto table = roundtable(nats_, {"consumers"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("ACK PENDING"), std::string::npos) << table.output;
  auto bors_line = line_with(table.output, "fleet-a-bors-garden");
  EXPECT_NE(bors_line.find(" bors "), std::string::npos) << bors_line;
  EXPECT_NE(bors_line.find(" no "), std::string::npos) << bors_line;
  EXPECT_NE(line_with(table.output, "fleet-a-galahad-security").find(" yes "), std::string::npos) << table.output;

  auto other_fleet = roundtable(nats_, {"consumers", "--json", "--fleet", "fleet-b"});
  ASSERT_EQ(other_fleet.exit_code, 0) << other_fleet.output;
  EXPECT_EQ(json::parse(other_fleet.output, nullptr, false)["consumers"], json::array()) << other_fleet.output;
}

TEST_F(CliConsumers, PruneFreesTheDomainOfADepartedKnightAndKeepsTheLiveOnes) {
  PlayedKnight galahad(*bus_, "galahad", "security", [](const contract::Envelope&) { return std::nullopt; });
  publish_heartbeat("galahad", std::chrono::system_clock::now(), "security");
  ASSERT_TRUE(bind_consumer("bors", "garden").ok());
  publish_heartbeat("bors", std::chrono::system_clock::now() - 2h, "garden");
  publish_task("garden");

  auto blocked = bind_consumer("bedivere", "garden");
  ASSERT_FALSE(blocked.ok()) << "the work-queue stream refuses a second consumer of the domain";
  EXPECT_NE(blocked.error().message.find("fleet-a-bors-garden"), std::string::npos) << blocked.error().message;

  auto dry = roundtable(nats_, {"consumers", "prune", "--dry-run", "--idle-for", "0s"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(line_with(dry.output, "would remove fleet-a-bors-garden"), "") << dry.output;
  EXPECT_NE(line_with(dry.output, "kept     fleet-a-galahad-security"), "") << dry.output;
  EXPECT_TRUE(exists("fleet-a-bors-garden")) << "a dry run removes nothing";

  auto recent = roundtable(nats_, {"consumers", "prune"});
  ASSERT_EQ(recent.exit_code, 0) << recent.output;
  EXPECT_NE(line_with(recent.output, "kept     fleet-a-bors-garden").find("within --idle-for"), std::string::npos) << recent.output;
  EXPECT_TRUE(exists("fleet-a-bors-garden")) << "created moments ago: the default --idle-for 1h keeps it";

  auto pruned = roundtable(nats_, {"consumers", "prune", "--idle-for", "0s", "--json"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.output;
  auto doc = json::parse(pruned.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << pruned.output;
  ASSERT_EQ(doc["removed"].size(), 1u) << pruned.output;
  EXPECT_EQ(doc["removed"][0]["name"], "fleet-a-bors-garden");
  EXPECT_EQ(doc["kept"][0]["name"], "fleet-a-galahad-security");
  EXPECT_FALSE(exists("fleet-a-bors-garden"));
  EXPECT_TRUE(exists("fleet-a-galahad-security"));

  ASSERT_TRUE(bind_consumer("bedivere", "garden").ok()) << "the domain is free for the new knight";
  auto count = bus_->js().consumer_state(contract::kTasksStream, "fleet-a-bedivere-garden");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->pending, 1u) << "the task that waited for the departed knight goes to the new one";
}

}  // namespace
}  // namespace rt::testing
