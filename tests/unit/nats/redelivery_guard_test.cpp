// nats::RedeliveryGuard: naks are held back only while a dropped inbox's requests may linger.
#include <gtest/gtest.h>

#include "roundtable/nats/redelivery_guard.hpp"

namespace rt::nats {
namespace {

using namespace std::chrono_literals;

TEST(RedeliveryGuard, NothingIsHeldBackBeforeAnInboxIsDropped) {
  RedeliveryGuard guard(2s);
  EXPECT_EQ(guard.hold_back(0ms), 0ms);
  EXPECT_EQ(guard.hold_back(150ms), 150ms);
}

TEST(RedeliveryGuard, ANakSoonAfterADropWaitsOutTheSweep) {
  RedeliveryGuard guard(1h);  // long enough that no test machine gets to its end
  guard.inbox_dropped();
  EXPECT_GT(guard.hold_back(0ms), 59min);
  EXPECT_LE(guard.hold_back(0ms), 1h);
  EXPECT_EQ(guard.hold_back(2h), 2h) << "a longer delay is kept as it is";
}

}  // namespace
}  // namespace rt::nats
