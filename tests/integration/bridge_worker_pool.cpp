// nats-bridge starts its workers on demand (worker_pool.hpp): an idle bridge runs few threads, and
// a burst of slow tasks still gets MAX_CONCURRENCY calls at once.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>

#include "fixtures/bridge_test.hpp"

namespace rt::testing {
namespace {

constexpr int kConcurrency = 6;

size_t thread_count(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) ++n;
  return n;
}

class BridgeWorkerPool : public BridgeTest {};

TEST_F(BridgeWorkerPool, AnIdleBridgeRunsFewWorkersAndABurstGetsEverySlotAtOnce) {
  Gate release;
  gateway_->set_handler([&](const GatewayCall&) {
    release.wait();
    return completed_reply("ok");
  });
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", std::to_string(kConcurrency)}});
  const pid_t pid = bridge.process().pid();
  const size_t idle_threads = thread_count(pid);

  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < kConcurrency; ++i) tasks.push_back(bus_->publish_task("security.scan", {{"n", i}}));
  // Every call is held until all of them reached the gateway: only as many workers as slots can do that.
  ASSERT_TRUE(gateway_->wait_for_started(kConcurrency)) << bridge.output();
  const size_t busy_threads = thread_count(pid);
  release.open();
  for (const auto& task : tasks) EXPECT_TRUE(bus_->wait_result(task.id)) << bridge.output();

  EXPECT_GE(busy_threads, idle_threads + kConcurrency - 2)
      << "idle: " << idle_threads << " threads, with " << kConcurrency << " calls held: " << busy_threads;
}

// The bridge asks for MAX_CONCURRENCY + PRIORITY_LOOKAHEAD tasks (12) while idle. Five quick
// tasks leave that request open for 7 more; 8 slow tasks then come: the request brings 7 of them,
// and the 8th must still be asked for while a worker is free, though fewer than half the 12 are.
TEST_F(BridgeWorkerPool, ARequestServedInPartStillFillsEveryWorker) {
  Gate release;
  std::atomic<bool> holding{false};
  std::atomic<int> held{0};
  gateway_->set_handler([&](const GatewayCall&) {
    if (holding) {
      ++held;
      release.wait();
    }
    return completed_reply("ok");
  });
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "8"}, {"PRIORITY_LOOKAHEAD", "4"}});
  constexpr int kQuick = 5;
  for (int i = 0; i < kQuick; ++i) {
    auto task = bus_->publish_task("security.scan", {{"quick", i}});
    ASSERT_TRUE(bus_->wait_result(task.id)) << bridge.output();
  }
  holding = true;
  std::vector<contract::Envelope> slow;
  for (int i = 0; i < 8; ++i) slow.push_back(bus_->publish_task("security.scan", {{"slow", i}}));
  const bool all_held = gateway_->wait_for_started(kQuick + 8, std::chrono::seconds(15));
  release.open();
  EXPECT_TRUE(all_held) << "8 workers, 8 tasks, and " << held << " calls at once\n" << bridge.output();
  for (const auto& task : slow) EXPECT_TRUE(bus_->wait_result(task.id)) << bridge.output();
}

// Two domains share 12 places (8 workers, a look-ahead of 4): 6 each, asked for at start. 8 slow
// tasks on one domain take its 6; the other domain's request stays open, served by nobody, and
// the 7th and 8th tasks must still be asked for while 2 workers have nothing to do.
TEST_F(BridgeWorkerPool, AnIdleDomainsRequestDoesNotKeepWorkersFromTheOther) {
  Gate release;
  gateway_->set_handler([&](const GatewayCall&) {
    release.wait();
    return completed_reply("ok");
  });
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "8"}, {"PRIORITY_LOOKAHEAD", "4"}, {"TASK_DOMAINS", "security,comms"}});
  std::vector<contract::Envelope> slow;
  for (int i = 0; i < 8; ++i) slow.push_back(bus_->publish_task("security.scan", {{"slow", i}}));
  const bool all_held = gateway_->wait_for_started(8, std::chrono::seconds(15));
  release.open();
  EXPECT_TRUE(all_held) << "8 workers, 8 tasks, and fewer calls at once\n" << bridge.output();
  for (const auto& task : slow) EXPECT_TRUE(bus_->wait_result(task.id)) << bridge.output();
}

TEST_F(BridgeWorkerPool, ABridgeThatStartedWorkersStopsCleanly) {
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "4"}});
  for (int i = 0; i < 12; ++i) bus_->publish_task("security.scan", {{"n", i}});
  ASSERT_TRUE(gateway_->wait_for_calls(12)) << bridge.output();
  bridge.process().signal(SIGTERM);
  EXPECT_EQ(bridge.process().wait(std::chrono::seconds(20)), std::optional<int>(0)) << bridge.output();
}

}  // namespace
}  // namespace rt::testing
