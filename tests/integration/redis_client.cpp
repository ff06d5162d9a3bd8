// The hiredis wrapper against a real redis-server, including an outage.
#include <gtest/gtest.h>

#include "fixtures/servers.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::testing {
namespace {

TEST(RedisClient, CommandsUsedByTheContract) {
  RedisServer server;
  redis::Client client(*redis::parse_redis_url(server.url()), Logger());
  EXPECT_EQ(client.set_if_absent("rt:fleet-a:dedup:t1", "claimed", std::chrono::hours(24)).value(), true);
  EXPECT_EQ(client.set_if_absent("rt:fleet-a:dedup:t1", "claimed", std::chrono::hours(24)).value(), false);
  ASSERT_TRUE(client.set("rt:fleet-a:dedup:t1", "done", std::chrono::hours(24)));
  EXPECT_EQ(client.get("rt:fleet-a:dedup:t1").value(), std::optional<std::string>("done"));
  EXPECT_EQ(client.get("missing").value(), std::nullopt);
  ASSERT_TRUE(client.hset("rt:fleet-a:agents", "galahad", "{}"));
  EXPECT_EQ(client.hgetall("rt:fleet-a:agents").value().at("galahad"), "{}");
  EXPECT_EQ(client.incr_by("rt:fleet-a:budget:galahad:2026-11-24", 120).value(), 120);
  EXPECT_EQ(client.incr_by("rt:fleet-a:budget:galahad:2026-11-24", 30).value(), 150);
  ASSERT_TRUE(client.expire("rt:fleet-a:budget:galahad:2026-11-24", std::chrono::hours(48)));
  auto reply = client.eval("return {tonumber(ARGV[1]) + 1, KEYS[1]}", {"k"}, {"41"});
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->elements.size(), 2u);
  EXPECT_EQ(reply->elements[0].integer, 42);
  EXPECT_EQ(reply->elements[1].text, "k");
  ASSERT_TRUE(client.del("rt:fleet-a:dedup:t1"));
  EXPECT_TRUE(client.healthy());
}

TEST(RedisClient, OutageFailsCleanlyAndReconnectsAfterwards) {
  RedisServer server;
  redis::Client client(*redis::parse_redis_url(server.url()), Logger());
  ASSERT_TRUE(client.ping());
  server.stop();
  auto down = client.get("x");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::unavailable);
  EXPECT_FALSE(client.healthy());
  server.start();
  EXPECT_TRUE(client.ping());
  EXPECT_TRUE(client.healthy());
}

TEST(RedisClient, WrongPasswordIsReported) {
  RedisServer server;
  auto url = *redis::parse_redis_url(server.url());
  url.password = "not-set-on-this-server";
  redis::Client client(url, Logger());
  auto result = client.ping();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("AUTH"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("not-set-on-this-server"), std::string::npos);
}

}  // namespace
}  // namespace rt::testing
