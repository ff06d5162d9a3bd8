// Work slots: run up to N, let N more wait, turn the rest away at once.
#include <gtest/gtest.h>

#include <future>

#include "fixtures/await.hpp"
#include "roundtable/gateway/work_slots.hpp"

namespace rt::gateway {
namespace {

TEST(WorkSlots, RunsUpToTheLimitQueuesUpToTheQueueAndRefusesTheRest) {
  WorkSlots slots(1, 1);
  auto first = slots.enter();
  ASSERT_TRUE(first);
  EXPECT_EQ(slots.running(), 1);
  auto second = std::async(std::launch::async, [&] { return slots.enter(); });
  ASSERT_TRUE(testing::eventually([&] { return slots.waiting() == 1; }));
  EXPECT_FALSE(slots.enter()) << "the queue is full: refused at once";
  first.reset();
  auto slot = second.get();
  EXPECT_TRUE(slot);
  EXPECT_EQ(slots.running(), 1);
  EXPECT_EQ(slots.waiting(), 0);
  slot.reset();
  EXPECT_EQ(slots.running(), 0);
}

TEST(WorkSlots, ASlotFreesWhenItsLastCopyGoes) {
  WorkSlots slots(1, 0);
  auto slot = slots.enter();
  auto copy = slot;  // as the NDJSON stream keeps it
  slot.reset();
  EXPECT_FALSE(slots.enter());
  copy.reset();
  EXPECT_TRUE(slots.enter());
}

}  // namespace
}  // namespace rt::gateway
