#include <gtest/gtest.h>

#include <set>

#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/redis/client.hpp"

namespace rt {
namespace {

using namespace std::chrono_literals;

TEST(Durations, ParseTheContractForms) {
  EXPECT_EQ(parse_duration("500ms"), std::optional<Millis>(500ms));
  EXPECT_EQ(parse_duration("30s"), std::optional<Millis>(30s));
  EXPECT_EQ(parse_duration("5m"), std::optional<Millis>(5min));
  EXPECT_EQ(parse_duration("1h"), std::optional<Millis>(1h));
  EXPECT_EQ(parse_duration("1h30m"), std::optional<Millis>(90min));
  EXPECT_EQ(parse_duration("1.5s"), std::optional<Millis>(1500ms));
  EXPECT_EQ(parse_duration("0"), std::optional<Millis>(0ms));
  for (const char* bad : {"", "5", "5d", "s", "-1s", "1.2.3s", "ms"}) EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  auto list = parse_duration_list("2s, 10s,30s,60s");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 4u);
  EXPECT_EQ(parse_duration_list("2s,,x"), std::nullopt);
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(2h), "2h");
}

TEST(Time, Rfc3339WithOffsetsAndFractions) {
  auto z = parse_rfc3339("2026-02-08T15:00:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(parse_rfc3339("2026-02-08T16:00:00+01:00"), z);
  EXPECT_EQ(parse_rfc3339("2026-02-08T10:30:00-04:30"), z);
  auto frac = parse_rfc3339("2026-02-08T15:00:00.250Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(*frac - *z), 250ms);
  EXPECT_EQ(format_rfc3339(*z), "2026-02-08T15:00:00Z");
  EXPECT_EQ(format_rfc3339_millis(*frac), "2026-02-08T15:00:00.250Z");
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z")) << "leap day";
  for (const char* bad : {"2026-02-08 15:00:00Z", "2026-02-08T15:00:00", "2026-02-08T25:00:00Z", "2026-02-08T15:00:00+1:00",
                          "2025-02-29T00:00:00Z", "2026-02-08T15:00:00Zjunk"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(Strings, Base64AndConstantTimeCompare) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00", 2)), "/wA=");
  EXPECT_TRUE(constant_time_equal("token", "token"));
  EXPECT_FALSE(constant_time_equal("token", "tokem"));
  EXPECT_FALSE(constant_time_equal("token", "token2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_EQ(split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(trim("  x y \n"), "x y");
  EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
}

TEST(Uuid, VersionFourAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = make_uuid_v4();
    EXPECT_TRUE(is_uuid_v4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(is_uuid_v4("3f2b8c1e-9d4a-4b7e-cf21-6a5c0d9e1b42")) << "variant must be 8-b";
  EXPECT_TRUE(is_uuid_v4("3F2B8C1E-9D4A-4B7E-8F21-6A5C0D9E1B42"));
}

TEST(Settings, FlagsBeatEnvironmentBeatFile) {
  config::Settings s;
  s.add_file({{"MAX_CONCURRENCY", "1"}, {"ACK_WAIT", "10s"}, {"LOG_LEVEL", "debug"}}, "knight.yaml");
  s.add_env({{"MAX_CONCURRENCY", "2"}, {"ACK_WAIT", "20s"}});
  auto positional = s.add_flags({"--max-concurrency=3", "rest", "--json"}, {"MAX_CONCURRENCY"}, {"JSON"});
  EXPECT_EQ(positional, std::vector<std::string>{"rest"});
  EXPECT_EQ(s.integer("MAX_CONCURRENCY", 0, 0, 10), 3);
  EXPECT_EQ(s.duration("ACK_WAIT", 1s), 20s);
  EXPECT_EQ(s.text("LOG_LEVEL", "info"), "debug");
  EXPECT_TRUE(s.boolean("JSON", false));
  EXPECT_EQ(s.origin("MAX_CONCURRENCY"), "flag --max-concurrency");
  EXPECT_THROW(s.add_flags({"--nope"}, {"MAX_CONCURRENCY"}), config::ConfigError);
}

TEST(Settings, ErrorsNameTheSettingAndWhereItCameFrom) {
  config::Settings s;
  s.add_env({{"ACK_WAIT", "soon"}, {"MAX_DELIVER", "many"}, {"STREAMS_AUTO_CREATE", "maybe"}});
  try {
    s.duration("ACK_WAIT", 1s);
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.setting(), "ACK_WAIT");
    EXPECT_NE(std::string(e.what()).find("environment ACK_WAIT"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'soon'"), std::string::npos);
  }
  EXPECT_THROW(s.integer("MAX_DELIVER", 5, 1, 100), config::ConfigError);
  EXPECT_THROW(s.boolean("STREAMS_AUTO_CREATE", true), config::ConfigError);
  EXPECT_THROW(s.identifier("AGENT_ID", std::nullopt), config::ConfigError);
}

TEST(Metrics, RenderPrometheusText) {
  http::MetricsRegistry r;
  r.counter("jobs_total", "Jobs.");
  r.gauge("up", "Up.");
  r.histogram("latency_seconds", "Latency.", {0.1, 1});
  r.add("jobs_total", 2, {{"outcome", "ok \"quoted\""}});
  r.set("up", 1);
  r.observe("latency_seconds", 0.05);
  r.observe("latency_seconds", 0.5);
  r.observe("latency_seconds", 5);
  auto text = r.render();
  EXPECT_NE(text.find("# TYPE jobs_total counter"), std::string::npos);
  EXPECT_NE(text.find("jobs_total{outcome=\"ok \\\"quoted\\\"\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.10000000000000001\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count 3"), std::string::npos);
  EXPECT_EQ(r.value("up"), 1);
}

TEST(RedisUrl, ParsesPasswordUserAndDb) {
  auto url = redis::parse_redis_url("redis://:s3cret@redis.svc:6380/2");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "redis.svc");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->db, 2);
  auto user = redis::parse_redis_url("redis://knight:pw@127.0.0.1");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "knight");
  EXPECT_EQ(user->port, 6379);
  for (const char* bad : {"http://x", "redis://:pw@host:99999", "redis://host/abc", "redis://"}) {
    auto parsed = redis::parse_redis_url(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().message.find(":pw"), std::string::npos) << "no password in errors";
    }
  }
}

}  // namespace
}  // namespace rt
