// The Redis client against a real redis-server: commands, an outage, and reconnection.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/redis/client.hpp"

namespace rt {
namespace {

using namespace std::chrono_literals;
using redis::Client;
using redis::Reply;
using testing::eventually;
using testing::RedisServer;

class RedisClient : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RedisServer>();
    client_ = make_client(server_->url());
  }

  std::unique_ptr<Client> make_client(const std::string& url_text) {
    auto url = redis::parse_redis_url(url_text);
    EXPECT_TRUE(url.ok()) << url.error().message;
    return std::make_unique<Client>(*url, Logger(), 1s);
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(RedisClient, PingAndHealthy) {
  EXPECT_FALSE(client_->healthy()) << "nothing has reached the server yet";
  auto status = client_->ping();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(client_->healthy());
}

TEST_F(RedisClient, SetIfAbsent) {
  auto first = client_->set_if_absent("rt:fleet-a:dedup:t1", "claimed", 60s);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = client_->set_if_absent("rt:fleet-a:dedup:t1", "other", 60s);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);
  auto value = client_->get("rt:fleet-a:dedup:t1");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, std::optional<std::string>("claimed")) << "the loser does not overwrite";
  auto ttl = client_->command({"PTTL", "rt:fleet-a:dedup:t1"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60'000);
}

TEST_F(RedisClient, GetSetDel) {
  auto missing = client_->get("rt:fleet-a:shared:k");
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  std::string binary("a\0b\r\nc", 6);
  ASSERT_TRUE(client_->set("rt:fleet-a:shared:k", binary).ok());
  auto value = client_->get("rt:fleet-a:shared:k");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, std::optional<std::string>(binary)) << "binary safe";
  ASSERT_TRUE(client_->set("rt:fleet-a:shared:k", "v2").ok());
  EXPECT_EQ(*client_->get("rt:fleet-a:shared:k"), std::optional<std::string>("v2"));
  ASSERT_TRUE(client_->del("rt:fleet-a:shared:k").ok());
  EXPECT_FALSE(client_->get("rt:fleet-a:shared:k")->has_value());
  EXPECT_TRUE(client_->del("rt:fleet-a:shared:never").ok()) << "deleting nothing is fine";
}

TEST_F(RedisClient, SetWithTtlAndExpire) {
  ASSERT_TRUE(client_->set("rt:fleet-a:alive:galahad", "1", 150ms).ok());
  EXPECT_TRUE(eventually([&] {
    auto v = client_->get("rt:fleet-a:alive:galahad");
    return v.ok() && !v->has_value();
  }, 10s));

  ASSERT_TRUE(client_->set("rt:fleet-a:alive:gawain", "1").ok());
  auto no_ttl = client_->command({"PTTL", "rt:fleet-a:alive:gawain"});
  ASSERT_TRUE(no_ttl.ok());
  EXPECT_EQ(no_ttl->integer, -1);
  ASSERT_TRUE(client_->expire("rt:fleet-a:alive:gawain", 90s).ok());
  auto ttl = client_->command({"PTTL", "rt:fleet-a:alive:gawain"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 80'000);
  EXPECT_LE(ttl->integer, 90'000);
  ASSERT_TRUE(client_->expire("rt:fleet-a:alive:gawain", 100ms).ok());
  EXPECT_TRUE(eventually([&] {
    auto v = client_->get("rt:fleet-a:alive:gawain");
    return v.ok() && !v->has_value();
  }, 10s));
}

TEST_F(RedisClient, HashSetAndGetAll) {
  auto empty = client_->hgetall("rt:fleet-a:agents");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(client_->hset("rt:fleet-a:agents", "galahad", "{\"domains\":[\"security\"]}").ok());
  ASSERT_TRUE(client_->hset("rt:fleet-a:agents", "gawain", "{}").ok());
  ASSERT_TRUE(client_->hset("rt:fleet-a:agents", "gawain", "{\"v\":2}").ok());
  auto all = client_->hgetall("rt:fleet-a:agents");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::map<std::string, std::string>{{"galahad", "{\"domains\":[\"security\"]}"}, {"gawain", "{\"v\":2}"}}));
}

TEST_F(RedisClient, IncrBy) {
  auto first = client_->incr_by("rt:fleet-a:budget:galahad:2026-02-08", 1200);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 1200);
  auto second = client_->incr_by("rt:fleet-a:budget:galahad:2026-02-08", 300);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 1500);
  auto down = client_->incr_by("rt:fleet-a:budget:galahad:2026-02-08", -1500);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(*down, 0);
}

TEST_F(RedisClient, EvalRunsLua) {
  const std::string script =
      "local v = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
      "if v > tonumber(ARGV[2]) then return {v, 'over'} end\n"
      "return {v, 'ok'}";
  auto first = client_->eval(script, {"rt:fleet-a:rate:llm"}, {"3", "5"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->kind, Reply::Kind::array);
  ASSERT_EQ(first->elements.size(), 2u);
  EXPECT_EQ(first->elements[0].kind, Reply::Kind::integer);
  EXPECT_EQ(first->elements[0].integer, 3);
  EXPECT_EQ(first->elements[1].text, "ok");
  auto second = client_->eval(script, {"rt:fleet-a:rate:llm"}, {"3", "5"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->elements[0].integer, 6);
  EXPECT_EQ(second->elements[1].text, "over");

  auto nil = client_->eval("return redis.call('GET', KEYS[1])", {"rt:fleet-a:none"}, {});
  ASSERT_TRUE(nil.ok()) << nil.error().message;
  EXPECT_TRUE(nil->is_nil());
  auto text = client_->eval("return ARGV[1] .. ARGV[2]", {}, {"a", "b"});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->kind, Reply::Kind::string);
  EXPECT_EQ(text->text, "ab");

  auto broken = client_->eval("return redis.call('NOPE')", {}, {});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::internal_error);
  EXPECT_TRUE(client_->healthy()) << "a script error still reached the server";
}

TEST_F(RedisClient, ServerErrorsAreNotOutages) {
  ASSERT_TRUE(client_->hset("rt:fleet-a:h", "f", "v").ok());
  auto wrong = client_->incr_by("rt:fleet-a:h", 1);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::internal_error);
  EXPECT_NE(wrong.error().message.find("WRONGTYPE"), std::string::npos) << wrong.error().message;
  EXPECT_TRUE(client_->healthy());
}

TEST_F(RedisClient, DatabaseNumberIsSelected) {
  auto db3 = make_client(server_->url() + "/3");
  ASSERT_TRUE(db3->set("rt:fleet-a:shared:db", "three").ok());
  EXPECT_EQ(*db3->get("rt:fleet-a:shared:db"), std::optional<std::string>("three"));
  EXPECT_FALSE(client_->get("rt:fleet-a:shared:db")->has_value()) << "db 0 does not see db 3";
}

TEST_F(RedisClient, OutageThenReconnect) {
  ASSERT_TRUE(client_->set("rt:fleet-a:shared:k", "before").ok());
  ASSERT_TRUE(client_->healthy());

  server_->stop();
  auto get = client_->get("rt:fleet-a:shared:k");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, ErrorCode::unavailable) << get.error().message;
  EXPECT_FALSE(client_->healthy());
  auto set = client_->set("rt:fleet-a:shared:k", "during");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::unavailable);
  auto claim = client_->set_if_absent("rt:fleet-a:dedup:t9", "x", 1s);
  ASSERT_FALSE(claim.ok());
  EXPECT_EQ(claim.error().code, ErrorCode::unavailable);
  auto incr = client_->incr_by("rt:fleet-a:budget:x", 1);
  ASSERT_FALSE(incr.ok());
  EXPECT_EQ(incr.error().code, ErrorCode::unavailable);
  auto ping = client_->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, ErrorCode::unavailable);
  EXPECT_FALSE(client_->healthy());

  server_->start();  // same port, empty (no persistence)
  auto after = client_->set("rt:fleet-a:shared:k", "after");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(client_->healthy());
  EXPECT_EQ(*client_->get("rt:fleet-a:shared:k"), std::optional<std::string>("after"));
  auto fresh = client_->set_if_absent("rt:fleet-a:dedup:t9", "x", 1s);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(*fresh);
}

TEST_F(RedisClient, NoServerAtAll) {
  server_->stop();
  auto lonely = make_client(server_->url());
  auto ping = lonely->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, ErrorCode::unavailable);
  EXPECT_FALSE(lonely->healthy());
  server_->start();
  EXPECT_TRUE(lonely->ping().ok());
  EXPECT_TRUE(lonely->healthy());
}

}  // namespace
}  // namespace rt
