#include "roundtable/bridge/intake_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace rt::bridge {
namespace {

using std::chrono::milliseconds;

class IntakeGateTest : public ::testing::Test {
 protected:
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  IntakeGate gate_{BreakerSettings{3, milliseconds(1000)}, [this] { return now_; }};
  void SetUp() override { gate_.set_gateway_reachable(true); }
  IntakeGate::Permit take() { return *gate_.wait_for_turn(); }
  void fail_times(int n) {
    for (int i = 0; i < n; ++i) gate_.record_retryable_failure(take(), std::nullopt);
  }
};

TEST_F(IntakeGateTest, OpensAfterThresholdConsecutiveRetryableFailures) {
  fail_times(2);
  EXPECT_EQ(gate_.state(), BreakerState::closed);
  EXPECT_TRUE(gate_.intake_open());
  fail_times(1);
  EXPECT_EQ(gate_.state(), BreakerState::open);
  EXPECT_FALSE(gate_.intake_open());
}

TEST_F(IntakeGateTest, ASuccessResetsTheCount) {
  fail_times(2);
  gate_.record_success(take());
  fail_times(2);
  EXPECT_EQ(gate_.state(), BreakerState::closed);
}

TEST_F(IntakeGateTest, AfterTheCooldownOneProbeDecides) {
  fail_times(3);
  now_ += milliseconds(1001);
  EXPECT_EQ(gate_.state(), BreakerState::half_open);
  EXPECT_TRUE(gate_.intake_open());
  auto probe = take();
  EXPECT_TRUE(probe.probe);
  EXPECT_FALSE(gate_.intake_open()) << "only one probe at a time";
  gate_.record_retryable_failure(probe, std::nullopt);
  EXPECT_EQ(gate_.state(), BreakerState::open) << "a failed probe opens it again";
  now_ += milliseconds(1001);
  gate_.record_success(take());
  EXPECT_EQ(gate_.state(), BreakerState::closed);
  EXPECT_FALSE(take().probe);
}

TEST_F(IntakeGateTest, RetryAfterLongerThanTheCooldownKeepsItOpen) {
  fail_times(2);
  gate_.record_retryable_failure(take(), milliseconds(5000));
  now_ += milliseconds(1001);
  EXPECT_EQ(gate_.state(), BreakerState::open);
  now_ += milliseconds(4000);
  EXPECT_EQ(gate_.state(), BreakerState::half_open);
}

TEST_F(IntakeGateTest, APermanentFailureOfTheProbeFreesTheProbeSlot) {
  fail_times(3);
  now_ += milliseconds(1001);
  gate_.record_neutral(take());
  EXPECT_TRUE(gate_.intake_open());
  EXPECT_TRUE(take().probe);
}

TEST_F(IntakeGateTest, UnreachableGatewayHoldsWorkersUntilItIsBack) {
  gate_.set_gateway_reachable(false);
  EXPECT_FALSE(gate_.intake_open());
  EXPECT_FALSE(gate_.wait_until_intake_open(milliseconds(10)));
  std::atomic<bool> passed{false};
  std::thread worker([&] {
    auto permit = gate_.wait_for_turn();
    passed = permit.has_value();
  });
  gate_.set_gateway_reachable(true);
  worker.join();
  EXPECT_TRUE(passed);
}

TEST_F(IntakeGateTest, StopReleasesWaitingWorkersWithoutAPermit) {
  gate_.set_gateway_reachable(false);
  std::optional<IntakeGate::Permit> permit{IntakeGate::Permit{}};
  std::thread worker([&] { permit = gate_.wait_for_turn(); });
  gate_.stop();
  worker.join();
  EXPECT_FALSE(permit.has_value());
}

}  // namespace
}  // namespace rt::bridge
