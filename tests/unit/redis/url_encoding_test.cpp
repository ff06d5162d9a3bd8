// REDIS_URL forms beyond the basics: percent-encoded user info, IPv6 hosts, no query strings.
#include <gtest/gtest.h>

#include "roundtable/redis/client.hpp"

namespace rt::redis {
namespace {

TEST(RedisUrlEncoding, UserInfoIsPercentDecoded) {
  auto url = parse_redis_url("redis://bridge%2Dfleet:p%40ss%2Fw%3Frd%23@redis:6379/1");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->username, "bridge-fleet");
  EXPECT_EQ(url->password, "p@ss/w?rd#");
  EXPECT_EQ(url->host, "redis");
  EXPECT_EQ(url->db, 1);
}

TEST(RedisUrlEncoding, APercentThatIsNoEscapeIsKept) {
  for (const char* text : {"redis://:50%off@h", "redis://:50%@h", "redis://:a%4@h", "redis://:%zz@h"}) {
    auto url = parse_redis_url(text);
    ASSERT_TRUE(url.ok()) << text;
    EXPECT_NE(url->password.find('%'), std::string::npos) << text << " -> " << url->password;
  }
  EXPECT_EQ(parse_redis_url("redis://:50%off@h")->password, "50%off");
}

TEST(RedisUrlEncoding, Ipv6HostsInBrackets) {
  auto with_port = parse_redis_url("redis://:pw@[::1]:6380/3");
  ASSERT_TRUE(with_port.ok()) << with_port.error().message;
  EXPECT_EQ(with_port->host, "::1");
  EXPECT_EQ(with_port->port, 6380);
  EXPECT_EQ(with_port->db, 3);
  auto bare = parse_redis_url("redis://[fd00::2]");
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ(bare->host, "fd00::2");
  EXPECT_EQ(bare->port, 6379);
  for (const char* bad : {"redis://[::1", "redis://[::1]x", "redis://[]:6379", "redis://[::1]:99999"}) {
    auto url = parse_redis_url(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().code, ErrorCode::config_error) << bad;
  }
}

TEST(RedisUrlEncoding, QueryStringsAreRefusedNotTakenForTheHost) {
  for (const char* bad : {"redis://h?db=2", "redis://h:6379/0?timeout=1", "redis://h#x"}) {
    auto url = parse_redis_url(bad);
    ASSERT_FALSE(url.ok()) << bad << " -> host " << url->host;
    EXPECT_NE(url.error().message.find("no query"), std::string::npos) << url.error().message;
  }
  auto hash_in_password = parse_redis_url("redis://:pa?ss#word@h");
  ASSERT_TRUE(hash_in_password.ok()) << "the user info ends at the last '@'";
  EXPECT_EQ(hash_in_password->password, "pa?ss#word");
}

}  // namespace
}  // namespace rt::redis
