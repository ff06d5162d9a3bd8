// REDIS_URL parsing: redis://[[user]:password@]host[:port][/db].
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roundtable/redis/client.hpp"

namespace rt::redis {
namespace {

TEST(RedisUrl, HostOnlyUsesDefaults) {
  auto url = parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "cache.internal");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "");
  EXPECT_EQ(url->db, 0);
}

TEST(RedisUrl, HostAndPort) {
  auto url = parse_redis_url("redis://127.0.0.1:6380");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 6380);
}

TEST(RedisUrl, PasswordOnly) {
  auto url = parse_redis_url("redis://:s3cret@redis:6379");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->host, "redis");
  auto bare = parse_redis_url("redis://s3cret@redis");
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ(bare->username, "");
  EXPECT_EQ(bare->password, "s3cret");
}

TEST(RedisUrl, UserAndPassword) {
  auto url = parse_redis_url("redis://knight:pa:ss@word@redis.svc:7000/2");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->username, "knight");
  EXPECT_EQ(url->password, "pa:ss@word") << "the last '@' ends the user info";
  EXPECT_EQ(url->host, "redis.svc");
  EXPECT_EQ(url->port, 7000);
  EXPECT_EQ(url->db, 2);
}

TEST(RedisUrl, Database) {
  auto url = parse_redis_url("redis://localhost/15");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->db, 15);
  auto trailing = parse_redis_url("redis://localhost:6379/");
  ASSERT_TRUE(trailing.ok()) << trailing.error().message;
  EXPECT_EQ(trailing->db, 0);
}

struct Bad {
  const char* url;
  const char* fragment;
};

TEST(RedisUrl, ErrorsNameWhatIsWrongAndNeverThePassword) {
  const std::vector<Bad> table{
      {"http://localhost:6379", "must start with redis://"},
      {"rediss://:hunter2@localhost", "must start with redis://"},
      {"localhost:6379", "must start with redis://"},
      {"", "must start with redis://"},
      {"redis://:hunter2@localhost:abc", "port must be 1-65535, got 'abc'"},
      {"redis://:hunter2@localhost:0", "port must be 1-65535, got '0'"},
      {"redis://:hunter2@localhost:65536", "port must be 1-65535, got '65536'"},
      {"redis://:hunter2@localhost:", "port must be 1-65535, got ''"},
      {"redis://:hunter2@localhost:-1", "port must be 1-65535"},
      {"redis://:hunter2@localhost:6379/x", "database must be a number, got 'x'"},
      {"redis://:hunter2@localhost:6379/-1", "database must be a number"},
      {"redis://:hunter2@localhost/123456", "database must be a number"},
      {"redis://user:hunter2@:6379", "has no host"},
      {"redis://:hunter2@", "has no host"},
      {"redis://", "has no host"},
  };
  for (const auto& row : table) {
    auto url = parse_redis_url(row.url);
    ASSERT_FALSE(url.ok()) << row.url;
    EXPECT_EQ(url.error().code, ErrorCode::config_error) << row.url;
    EXPECT_NE(url.error().message.find(row.fragment), std::string::npos) << row.url << ": " << url.error().message;
    EXPECT_NE(url.error().message.find("REDIS_URL"), std::string::npos) << "names the setting: " << url.error().message;
    EXPECT_EQ(url.error().message.find("hunter2"), std::string::npos) << "leaks the password: " << url.error().message;
  }
}

}  // namespace
}  // namespace rt::redis
