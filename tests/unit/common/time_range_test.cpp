// Times the 64-bit nanosecond clock cannot hold are refused, not wrapped around.
#include <gtest/gtest.h>

#include "roundtable/common/time.hpp"

namespace rt {
namespace {

TEST(TimeRange, YearsBeyondTheClockAreRefusedNotWrapped) {
  for (const char* text : {"9999-12-31T23:59:59Z", "2300-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
}

TEST(TimeRange, TheWholeUsefulRangeStillParses) {
  for (const char* text : {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z", "2099-12-31T23:59:59.999Z",
                           "2200-06-01T00:00:00+01:00"}) {
    auto parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed.has_value()) << text;
  }
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2200-06-01T00:00:00+01:00")), "2200-05-31T23:00:00Z");
  EXPECT_EQ(format_rfc3339_millis(*parse_rfc3339("2099-12-31T23:59:59.999Z")), "2099-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace rt
