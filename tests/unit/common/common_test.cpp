// Durations, RFC 3339 time, strings, base64, uuids.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roundtable/common/duration.hpp"
#include "roundtable/common/kernel_entropy.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt {
namespace {

using namespace std::chrono_literals;

TEST(Duration, Parses) {
  struct Row {
    const char* text;
    Millis expected;
  };
  for (const auto& row : std::vector<Row>{{"500ms", 500ms},
                                          {"30s", 30s},
                                          {"5m", 5min},
                                          {"1h", 1h},
                                          {"1h30m", 90min},
                                          {"1.5s", 1500ms},
                                          {"0", 0ms},
                                          {"0s", 0ms},
                                          {"2m30s", 150s},
                                          {"1h1m1s1ms", 3'661'001ms},
                                          {"0.5h", 30min},
                                          {"600s", 600s}}) {
    auto parsed = parse_duration(row.text);
    ASSERT_TRUE(parsed.has_value()) << row.text;
    EXPECT_EQ(*parsed, row.expected) << row.text;
  }
}

TEST(Duration, RejectsBadText) {
  for (const char* bad : {"", "5", "5d", "s", "-1s", "ms", "1.2.3s", "5 s", " 5s", "5s ", "5S", "1h30", "abc", ".", "5sec", "+5s"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << "'" << bad << "'";
}

TEST(Duration, List) {
  auto parsed = parse_duration_list("2s,10s,30s,60s");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<Millis>{2s, 10s, 30s, 60s}));
  auto spaced = parse_duration_list(" 500ms , 1m ");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(*spaced, (std::vector<Millis>{500ms, 1min}));
  auto single = parse_duration_list("1h");
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(*single, std::vector<Millis>{1h});
  for (const char* bad : {"", "2s,", ",2s", "2s,,3s", "2s,x", "2s;3s"})
    EXPECT_FALSE(parse_duration_list(bad).has_value()) << "'" << bad << "'";
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(24h), "24h");
  EXPECT_EQ(format_duration(90min), "90m");
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(1ms), "1ms");
  EXPECT_EQ(format_duration(61s), "61s");
  for (Millis d : std::vector<Millis>{1ms, 999ms, 1s, 90s, 3min, 25h, 7 * 24h})
    EXPECT_EQ(parse_duration(format_duration(d)), d) << "round trip of " << d.count();
}

SystemTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}} + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s);
}

TEST(Time, ParsesRfc3339) {
  EXPECT_EQ(parse_rfc3339("2026-02-08T15:00:00Z"), utc(2026, 2, 8, 15, 0, 0));
  EXPECT_EQ(parse_rfc3339("2026-02-08t15:00:00z"), utc(2026, 2, 8, 15, 0, 0));
  EXPECT_EQ(parse_rfc3339("2026-02-08T16:30:00+01:30"), utc(2026, 2, 8, 15, 0, 0));
  EXPECT_EQ(parse_rfc3339("2026-02-08T10:00:00-05:00"), utc(2026, 2, 8, 15, 0, 0));
  EXPECT_EQ(parse_rfc3339("2026-02-09T00:30:00+09:30"), utc(2026, 2, 8, 15, 0, 0));
  EXPECT_EQ(parse_rfc3339("2026-02-08T15:00:00.5Z"), utc(2026, 2, 8, 15, 0, 0) + 500ms);
  EXPECT_EQ(parse_rfc3339("2026-02-08T15:00:00.123Z"), utc(2026, 2, 8, 15, 0, 0) + 123ms);
  EXPECT_EQ(parse_rfc3339("2026-02-08T15:00:00.123456+00:00"), utc(2026, 2, 8, 15, 0, 0) + 123456us);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), utc(2024, 2, 29, 0, 0, 0));
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), SystemTime{});
}

TEST(Time, RejectsBadRfc3339) {
  for (const char* bad : {"", "yesterday", "2026-02-08", "2026-02-08T15:00:00", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-02-08T24:00:00Z",
                          "2026-02-08T15:60:00Z", "2026-02-08 15:00:00Z", "2026-02-08T15:00:00.Z", "2026-02-08T15:00:00+0100",
                          "2026-02-08T15:00:00+01", "2026-02-08T15:00:00Zjunk", "2026-2-8T15:00:00Z", "2026-02-08T15:00:00+25:00"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
}

TEST(Time, Formats) {
  EXPECT_EQ(format_rfc3339(utc(2026, 2, 8, 15, 0, 0)), "2026-02-08T15:00:00Z");
  EXPECT_EQ(format_rfc3339(utc(2026, 2, 8, 15, 0, 0) + 999ms), "2026-02-08T15:00:00Z") << "truncated, not rounded";
  EXPECT_EQ(format_rfc3339_millis(utc(2026, 2, 8, 15, 0, 0) + 7ms), "2026-02-08T15:00:00.007Z");
  EXPECT_EQ(format_rfc3339(SystemTime{}), "1970-01-01T00:00:00Z");
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_EQ(parse_rfc3339(format_rfc3339(now)), SystemTime(now));
  auto now_ms = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  EXPECT_EQ(parse_rfc3339(format_rfc3339_millis(now_ms)), SystemTime(now_ms));
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\x00\xff\xfe", 3)), "AP/+");
  EXPECT_EQ(base64_encode(std::string(1, '\0')), "AA==");
}

TEST(Strings, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokem"));
  EXPECT_FALSE(constant_time_equal("secret", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0", 2), "a")) << "a trailing NUL is a difference";
}

TEST(Strings, SplitTrimJoin) {
  EXPECT_EQ(split("a,b,c", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("a,,c", ','), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split(",", ','), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(split("abc", ','), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(split("a.b.", '.'), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(trim("  a b \t\n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ","), "");
  EXPECT_EQ(join({"only"}, ","), "only");
  EXPECT_EQ(join(split("x,y,z", ','), ","), "x,y,z");
  EXPECT_TRUE(starts_with("nats://host", "nats://"));
  EXPECT_FALSE(starts_with("nat", "nats://"));
  EXPECT_TRUE(starts_with("anything", ""));
  EXPECT_EQ(to_lower("MiXeD-123"), "mixed-123");
  EXPECT_TRUE(equals_ignoring_case("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(equals_ignoring_case("Content-Length", "content-length "));
  EXPECT_FALSE(equals_ignoring_case("chunked", "chunkeD2"));
}

TEST(Uuid, V4FormatAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string id = make_uuid_v4();
    ASSERT_TRUE(is_uuid_v4(id)) << id;
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id, to_lower(id)) << "lower case";
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(Uuid, AForkedChildDoesNotRepeatItsParentsIds) {
  make_uuid_v4();  // this thread's buffer now holds bytes a child would inherit
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string id = make_uuid_v4();
    ssize_t written = ::write(pipe_fds[1], id.data(), id.size());
    ::_exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  std::string parent_id = make_uuid_v4();
  std::string child_id(36, '\0');
  ASSERT_EQ(::read(pipe_fds[0], child_id.data(), child_id.size()), 36);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_TRUE(is_uuid_v4(child_id)) << child_id;
  EXPECT_NE(parent_id, child_id);
}

TEST(Uuid, KernelBytesOfAnySize) {
  std::vector<unsigned char> big(5000, 0), small(16, 0);
  ASSERT_TRUE(kernel_random_bytes(big.data(), big.size()));  // past the buffer: straight from the kernel
  ASSERT_TRUE(kernel_random_bytes(small.data(), small.size()));
  EXPECT_NE(std::count(big.begin(), big.end(), 0), static_cast<long>(big.size()));
  std::set<std::vector<unsigned char>> seen;
  for (int i = 0; i < 300; ++i) {  // across several refills
    std::vector<unsigned char> bytes(16, 0);
    ASSERT_TRUE(kernel_random_bytes(bytes.data(), bytes.size()));
    seen.insert(bytes);
  }
  EXPECT_EQ(seen.size(), 300u);
}

TEST(Uuid, Validation) {
  EXPECT_TRUE(is_uuid_v4("0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f"));
  EXPECT_TRUE(is_uuid_v4("0B6C3F1E-8A7D-4C2B-AE5F-1A2B3C4D5E6F")) << "upper case hex is still a uuid";
  for (const char* bad : {"", "0b6c3f1e-8a7d-1c2b-9e5f-1a2b3c4d5e6f", "0b6c3f1e-8a7d-4c2b-7e5f-1a2b3c4d5e6f",
                          "0b6c3f1e-8a7d-4c2b-ce5f-1a2b3c4d5e6f", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f0",
                          "0b6c3f1e8a7d4c2b9e5f1a2b3c4d5e6f", "0b6c3f1e-8a7d-4c2b-9e5f_1a2b3c4d5e6f", "zb6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f",
                          "{b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6}"})
    EXPECT_FALSE(is_uuid_v4(bad)) << bad;
}

}  // namespace
}  // namespace rt
