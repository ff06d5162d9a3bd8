// When task.claimed is published for one delivery (docs/contract.md §3), on a clock the test moves.
#include <gtest/gtest.h>

#include "roundtable/bridge/claim_notice.hpp"

namespace rt::bridge {
namespace {

using std::chrono::milliseconds;

class MovedClock final : public Clock {
 public:
  SystemTime now() const override { return SystemTime{} + (steady_ - std::chrono::steady_clock::time_point{}); }
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  void advance(milliseconds by) { steady_ += by; }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1)};
};

struct Counted {
  MovedClock clock;
  int published = 0;
  ClaimNotice notice{clock, [this] { ++published; }};
};

TEST(ClaimNotice, AnAnswerWithinTheNoticeTimeHasNone) {
  Counted c;
  c.notice.start_call(milliseconds(100));
  c.notice.request_sent();
  c.clock.advance(milliseconds(99));
  c.notice.call_ended();
  EXPECT_EQ(c.published, 0);
  EXPECT_FALSE(c.notice.published());
}

TEST(ClaimNotice, ACallThatLastedTheNoticeTimeIsClaimedWhenItEndsIfNotBefore) {
  Counted c;
  c.notice.start_call(milliseconds(100));
  c.notice.request_sent();
  c.clock.advance(milliseconds(100));
  c.notice.call_ended();
  EXPECT_EQ(c.published, 1);
}

TEST(ClaimNotice, TimeIsCountedFromTheRequestWrittenNotFromTheCallsStart) {
  Counted c;
  c.notice.start_call(milliseconds(100));
  c.clock.advance(milliseconds(150));  // connecting, writing a large body
  c.notice.request_sent();
  c.clock.advance(milliseconds(50));
  c.notice.call_ended();
  EXPECT_EQ(c.published, 0);
}

TEST(ClaimNotice, ASlowAnswerOrProgressPublishesItOnceForTheWholeDelivery) {
  Counted c;
  c.notice.start_call(milliseconds(100));
  c.notice.request_sent();
  c.notice.publish();  // the answer had not begun
  c.notice.publish();  // a progress line
  c.clock.advance(milliseconds(500));
  c.notice.call_ended();
  c.notice.start_call(milliseconds(100));  // the same delivery calls again
  c.notice.request_sent();
  c.notice.publish();
  EXPECT_EQ(c.published, 1);
}

TEST(ClaimNotice, ZeroPublishesItAsSoonAsTheRequestIsWritten) {
  Counted c;
  c.notice.start_call(milliseconds(0));
  EXPECT_EQ(c.published, 0) << "not before the request is written";
  c.notice.request_sent();
  EXPECT_EQ(c.published, 1);
  c.notice.call_ended();
  EXPECT_EQ(c.published, 1);
}

TEST(ClaimNotice, ACallThatNeverSentItsRequestStillCountsFromItsStart) {
  Counted c;  // a client that answered without telling the bridge it wrote the request
  c.notice.start_call(milliseconds(100));
  c.clock.advance(milliseconds(120));
  c.notice.call_ended();
  EXPECT_EQ(c.published, 1);
}

}  // namespace
}  // namespace rt::bridge
