// roundtable consumers: which knight a consumer serves, whether it is alive, what prune removes.
#include <gtest/gtest.h>

#include "roundtable/cli/consumers.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

SystemTime at(const char* text) { return *parse_rfc3339(text); }

nats::ConsumerActivity consumer(const std::string& name, const std::string& filter, std::optional<SystemTime> last) {
  nats::ConsumerActivity c;
  c.name = name;
  c.filter_subject = filter;
  c.created = at("2026-11-01T00:00:00Z");
  c.last_delivered = last;
  return c;
}

json heartbeat(const std::string& agent, const char* sent, json consumers = json::array()) {
  return {{"type", "heartbeat"}, {"from", agent}, {"timestamp", sent}, {"payload", {{"status", "healthy"}, {"consumers", consumers}}}};
}

TEST(Consumers, KnightComesFromTheNameAndTheFilter) {
  EXPECT_EQ(knight_of_consumer("fleet-a", "fleet-a-galahad-security", "fleet-a.tasks.security.>"), "galahad");
  EXPECT_EQ(knight_of_consumer("fleet-a", "fleet-a-sir-bors-home-lab", "fleet-a.tasks.home-lab.>"), "sir-bors");
  EXPECT_EQ(knight_of_consumer("fleet-a", "manual", "fleet-a.tasks.security.>"), "");
  EXPECT_EQ(knight_of_consumer("fleet-a", "fleet-a-galahad-security", "fleet-a.tasks.>"), "");
  EXPECT_EQ(knight_of_consumer("fleet-a", "fleet-a--security", "fleet-a.tasks.security.>"), "");
}

TEST(Consumers, AliveFromAFreshHeartbeatOfTheKnightOrOneListingTheConsumerOrAFetchingBridge) {
  auto now = at("2026-11-29T12:00:00Z");
  Liveness live;
  add_heartbeat(live, "fleet-a.heartbeat.galahad", heartbeat("galahad", "2026-11-29T11:59:40Z"), now, 90s);
  add_heartbeat(live, "fleet-a.heartbeat.tim", heartbeat("tim", "2026-11-29T11:59:50Z", json::array({{{"name", "fleet-a-old-name-lead"}}})), now, 90s);
  add_heartbeat(live, "fleet-a.heartbeat.bors", heartbeat("bors", "2026-11-29T09:00:00Z"), now, 90s);
  auto fetching = consumer("fleet-a-kay-kitchen", "fleet-a.tasks.kitchen.>", std::nullopt);
  fetching.waiting = 1;
  auto rows = consumer_rows("fleet-a",
                            {consumer("fleet-a-galahad-security", "fleet-a.tasks.security.>", at("2026-11-29T11:00:00Z")),
                             consumer("fleet-a-old-name-lead", "fleet-a.tasks.lead.>", std::nullopt),
                             consumer("fleet-a-bors-garden", "fleet-a.tasks.garden.>", at("2026-11-29T08:00:00Z")),
                             consumer("fleet-b-mordred-security", "fleet-b.tasks.security.>", std::nullopt), fetching},
                            live);
  ASSERT_EQ(rows.size(), 4u) << "fleet-b's consumer is not fleet-a's";
  EXPECT_EQ(rows[0].name, "fleet-a-bors-garden");
  EXPECT_FALSE(rows[0].alive);
  EXPECT_EQ(rows[0].evidence, "last heartbeat 10800s ago");
  EXPECT_EQ(rows[1].name, "fleet-a-galahad-security");
  EXPECT_TRUE(rows[1].alive);
  EXPECT_EQ(rows[2].name, "fleet-a-kay-kitchen");
  EXPECT_TRUE(rows[2].alive) << "no heartbeat yet, but a bridge fetches";
  EXPECT_EQ(rows[3].name, "fleet-a-old-name-lead");
  EXPECT_TRUE(rows[3].alive) << "tim's heartbeat lists it";
  EXPECT_EQ(rows[3].last_active, at("2026-11-01T00:00:00Z")) << "never delivered: created counts";
}

TEST(Consumers, PruneRemovesOnlyKnownDeadKnightsIdleLongEnough) {
  auto now = at("2026-11-29T12:00:00Z");
  ConsumerRow dead;
  dead.name = "fleet-a-bors-garden";
  dead.knight = "bors";
  dead.last_active = at("2026-11-29T10:00:00Z");
  EXPECT_EQ(prune_refusal(dead, now, 1h), std::nullopt);
  EXPECT_NE(prune_refusal(dead, now, 3h), std::nullopt) << "delivered 2h ago, within --idle-for 3h";
  ConsumerRow alive = dead;
  alive.alive = true;
  EXPECT_NE(prune_refusal(alive, now, 0s), std::nullopt);
  ConsumerRow unknown = dead;
  unknown.knight = "";
  EXPECT_NE(prune_refusal(unknown, now, 0s), std::nullopt);
}

TEST(Consumers, TableAndJsonShowLagActivityAndLiveness) {
  auto now = at("2026-11-29T12:00:00Z");
  ConsumerRow row;
  row.name = "fleet-a-bors-garden";
  row.knight = "bors";
  row.domain = "garden";
  row.filter = "fleet-a.tasks.garden.>";
  row.pending = 3;
  row.ack_pending = 1;
  row.last_active = at("2026-11-29T09:00:00Z");
  row.evidence = "no heartbeat from bors";
  auto table = consumers_table({row}, now);
  EXPECT_NE(table.find("CONSUMER"), std::string::npos);
  EXPECT_NE(table.find("fleet-a-bors-garden"), std::string::npos);
  EXPECT_NE(table.find("3h ago"), std::string::npos) << table;
  EXPECT_NE(table.find(" no "), std::string::npos) << table;
  auto doc = to_json(row, now);
  EXPECT_EQ(doc["pending"], 3);
  EXPECT_EQ(doc["ackPending"], 1);
  EXPECT_EQ(doc["lastActive"], "2026-11-29T09:00:00Z");
  EXPECT_EQ(doc["idleSeconds"], 10800);
  EXPECT_EQ(doc["alive"], false);
}

TEST(Consumers, ActivityFromTheJetStreamApiAnswer) {
  auto c = nats::consumer_activity_from(json::parse(R"({"name":"fleet-a-galahad-security","created":"2026-11-29T10:00:00.5Z",
      "config":{"durable_name":"fleet-a-galahad-security","filter_subject":"fleet-a.tasks.security.>"},
      "delivered":{"consumer_seq":4,"stream_seq":9,"last_active":"2026-11-29T11:00:00.123456789Z"},
      "num_ack_pending":1,"num_redelivered":2,"num_waiting":1,"num_pending":5})"));
  EXPECT_EQ(c.filter_subject, "fleet-a.tasks.security.>");
  EXPECT_EQ(c.pending, 5u);
  EXPECT_EQ(c.ack_pending, 1u);
  EXPECT_EQ(c.redelivered, 2u);
  EXPECT_EQ(c.waiting, 1u);
  ASSERT_TRUE(c.last_delivered.has_value());
  EXPECT_EQ(format_rfc3339(*c.last_delivered), "2026-11-29T11:00:00Z");
  auto never = nats::consumer_activity_from(json::parse(R"({"name":"x","created":"2026-11-29T10:00:00Z","delivered":{"consumer_seq":0,"stream_seq":0}})"));
  EXPECT_FALSE(never.last_delivered.has_value());
  EXPECT_TRUE(never.created.has_value());
}

}  // namespace
}  // namespace rt::cli
