// Helpers for text and numbers that come from outside: URL redaction, terminal escaping,
// bounded excerpts and clamped numbers.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace {

using nlohmann::json;

TEST(RedactUrl, HidesUserAndPassword) {
  EXPECT_EQ(rt::redact_url("nats://user:secretpw@10.0.0.1:4222"), "nats://***@10.0.0.1:4222");
  EXPECT_EQ(rt::redact_url("redis://:hunter2@redis:6379/1"), "redis://***@redis:6379/1");
  EXPECT_EQ(rt::redact_url("https://tok@api.example.com/v1?x=a@b"), "https://***@api.example.com/v1?x=a@b");
  EXPECT_EQ(rt::redact_url("user:pw@host:4222"), "***@host:4222");
  EXPECT_EQ(rt::redact_url("nats://a:b@c@host"), "nats://***@host");  // '@' inside the password
}

TEST(RedactUrl, KeepsUrlsWithoutUserinfo) {
  EXPECT_EQ(rt::redact_url("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
  EXPECT_EQ(rt::redact_url("http://host/path@not-userinfo"), "http://host/path@not-userinfo");
  EXPECT_EQ(rt::redact_url(""), "");
  EXPECT_EQ(rt::redact_urls({"nats://u:p@a:1", "nats://b:2"}), (std::vector<std::string>{"nats://***@a:1", "nats://b:2"}));
}

TEST(TerminalSafe, EscapesControlCharacters) {
  EXPECT_EQ(rt::terminal_safe("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(rt::terminal_safe("bell\a tab\t nl\n del\x7f"), "bell\\x07 tab\\x09 nl\\x0a del\\x7f");
  EXPECT_EQ(rt::terminal_safe(std::string("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(rt::terminal_safe("csi\xc2\x9b" "31m"), "csi\\u009b31m");   // C1 control as UTF-8
  EXPECT_EQ(rt::terminal_safe("raw\x9b" "31m"), "raw\\x9b31m");         // a lone C1 byte
  EXPECT_EQ(rt::terminal_safe("bad\xff\xfe"), "bad\\xff\\xfe");
  EXPECT_EQ(rt::terminal_safe("cut\xe2\x82"), "cut\\xe2\\x82");         // truncated sequence
}

TEST(TerminalSafe, KeepsPrintableUtf8) {
  EXPECT_EQ(rt::terminal_safe("Grüße · ✓ 🛡"), "Grüße · ✓ 🛡");
  EXPECT_EQ(rt::terminal_safe("\xc2\xa0nbsp"), "\xc2\xa0nbsp");
}

TEST(Excerpt, CutsLongTextOnACharacterBoundary) {
  EXPECT_EQ(rt::excerpt("short", 10), "short");
  EXPECT_EQ(rt::excerpt(std::string(1 << 20, 'v'), 8), "vvvvvvvv...");
  EXPECT_EQ(rt::excerpt("aé", 2), "a...");  // é is two bytes: not cut in half
}

TEST(ClampedInteger, ClampsEveryMagnitude) {
  EXPECT_EQ(rt::clamped_integer(json(42), 0, 100), 42);
  EXPECT_EQ(rt::clamped_integer(json(-1), 0, 100), 0);
  EXPECT_EQ(rt::clamped_integer(json(1e300), 0, 100), 100);
  EXPECT_EQ(rt::clamped_integer(json(-1e300), 0, 100), 0);
  EXPECT_EQ(rt::clamped_integer(json(std::numeric_limits<uint64_t>::max()), 0, 100), 100);
  EXPECT_EQ(rt::clamped_integer(json(std::numeric_limits<uint64_t>::max()), INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_EQ(rt::clamped_integer(json(9.2233720368547758e18), INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_EQ(rt::clamped_integer(json(-9.3e18), INT64_MIN, INT64_MAX), INT64_MIN);
  EXPECT_EQ(rt::clamped_integer(json(12.9), 0, 100), 12);
  EXPECT_EQ(rt::clamped_integer(json(std::numeric_limits<double>::quiet_NaN()), 0, 100), std::nullopt);
  EXPECT_EQ(rt::clamped_integer(json(std::numeric_limits<double>::infinity()), 0, 100), 100);
  EXPECT_EQ(rt::clamped_integer(json("7"), 0, 100), std::nullopt);
  EXPECT_EQ(rt::clamped_integer(json(nullptr), 0, 100), std::nullopt);
}

TEST(ClampedInteger, NumbersBeyondDoubleRangeFromTextAreClampedOrRefused) {
  auto doc = rt::parse_json_bounded(R"({"c":123456789012345678901234567890,"d":-123456789012345678901234567890})");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(rt::clamped_integer((*doc)["c"], 0, 86400), 86400);
  EXPECT_EQ(rt::clamped_integer((*doc)["d"], 0, 86400), 0);
  EXPECT_FALSE(rt::parse_json_bounded(R"({"a":1e400})").ok()) << "beyond double: not JSON we accept";
}

}  // namespace
