// Retry-After comes from any gateway: every value, however far in the future, must give a delay
// of at most a day without overflowing a clock on the way.
#include <gtest/gtest.h>

#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {
namespace {

TEST(RetryAfterBounds, FarFutureDatesAreClampedToADay) {
  auto now = *parse_rfc3339("2026-11-24T10:00:00Z");
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), std::optional<int64_t>(86400));
  EXPECT_EQ(parse_retry_after("Sat, 01 Jan 2300 00:00:00 GMT", now), std::optional<int64_t>(86400));
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 10:00:00 GMT", now), std::optional<int64_t>(86400));
  EXPECT_EQ(parse_retry_after("Tue, 24 Nov 2026 10:00:10 GMT", now), std::optional<int64_t>(10));
}

TEST(RetryAfterBounds, FarPastDatesAreZero) {
  auto now = *parse_rfc3339("2026-11-24T10:00:00Z");
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now), std::optional<int64_t>(0));
  EXPECT_EQ(parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT", now), std::optional<int64_t>(0));
}

TEST(RetryAfterBounds, LargeSecondsAreClampedAndGarbageIgnored) {
  auto now = *parse_rfc3339("2026-11-24T10:00:00Z");
  EXPECT_EQ(parse_retry_after("999999999", now), std::optional<int64_t>(86400));
  EXPECT_EQ(parse_retry_after("86401", now), std::optional<int64_t>(86400));
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1e300", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Tue, 24 Nov 2026 10:00:10 GMT trailing", now), std::nullopt);
}

}  // namespace
}  // namespace rt::bridge
