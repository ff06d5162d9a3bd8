// Expiry with extreme ttls: a ttl past the clock's end is "never", not a wrap into the past.
#include <gtest/gtest.h>

#include "roundtable/contract/envelope.hpp"

namespace rt::contract {
namespace {

std::string envelope_with(const std::string& timestamp, const std::string& ttl) {
  return R"({"id":"6f9619ff-8b86-4d11-b42d-00c04fc964ff","version":"1.0","type":"task.request","from":"tim","timestamp":")" + timestamp +
         R"(","ttl":)" + ttl + R"(,"payload":{}})";
}

TEST(ExpiryRange, HugeTtlNeverExpires) {
  auto env = parse_envelope(envelope_with("2026-02-08T15:00:00Z", "9223372036854775807"));
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_FALSE(env->expired(std::chrono::system_clock::now()));
  EXPECT_FALSE(env->expired(*parse_rfc3339("2261-01-01T00:00:00Z")));
  ASSERT_TRUE(env->expires_at().has_value());
  EXPECT_EQ(*env->expires_at(), SystemTime::max());
}

TEST(ExpiryRange, LargeButCountableTtlIsExact) {
  auto env = parse_envelope(envelope_with("2026-02-08T15:00:00Z", "3153600000"));  // 100 years
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(format_rfc3339(*env->expires_at()), "2126-01-15T15:00:00Z");
  EXPECT_FALSE(env->expired(*parse_rfc3339("2126-01-15T15:00:00Z")));
  EXPECT_TRUE(env->expired(*parse_rfc3339("2126-01-15T15:00:01Z")));
}

TEST(ExpiryRange, ATimestampBeyondTheClockIsRejected) {
  auto env = parse_envelope(envelope_with("9999-12-31T23:59:59Z", "3600"));
  ASSERT_FALSE(env.ok()) << "a timestamp the clock cannot hold was accepted";
  EXPECT_NE(env.error().message.find("timestamp"), std::string::npos) << env.error().message;
}

}  // namespace
}  // namespace rt::contract
