// nats-bridge's health port under hostile or careless clients: idle keep-alive and silent
// connections at SIGTERM, probes while many clients idle, endless request heads, SIGTERM while
// starting.
#include <gtest/gtest.h>

#include <csignal>

#include "fixtures/bridge_test.hpp"
#include "fixtures/http_guard.hpp"

namespace rt::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kGrace = 3s;

class BridgeHttpGuard : public BridgeTest {};

TEST_F(BridgeHttpGuard, IdleKeepAliveAndSilentClientsDoNotDelaySigterm) {
  auto& bridge = start_bridge({{"SHUTDOWN_GRACE", "3s"}});
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events().of_type("knight.online").empty(); }));
  RawConnection keep_alive(bridge.health_port());
  ASSERT_EQ(keep_alive.get("/metrics"), 200);
  RawConnection silent(bridge.health_port());
  ASSERT_TRUE(silent.valid());
  bridge.process().signal(SIGTERM);
  // A deadline of grace + 1 s, far below the health server's 60 s keep-alive wait.
  EXPECT_EQ(bridge.process().wait(kGrace + 1s), std::optional<int>(0));
  EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events().of_type("knight.offline").empty(); }));
}

TEST_F(BridgeHttpGuard, ProbesAndScrapesAnswerWhileTwentyClientsIdle) {
  auto& bridge = start_bridge();
  std::vector<RawConnection> idle;
  for (int i = 0; i < 20; ++i) {
    idle.emplace_back(bridge.health_port());
    if (i % 2 == 0) {
      ASSERT_EQ(idle.back().get("/healthz"), 200) << i;
    }
  }
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    RawConnection probe(bridge.health_port(), 10s);
    EXPECT_EQ(probe.get(path), 200) << path;
  }
}

TEST_F(BridgeHttpGuard, AHundredMegabyteHeadIsRefusedWithBoundedMemory) {
  auto& bridge = start_bridge();
  RawConnection flood(bridge.health_port(), 20s);
  int status = flood.send_endless_head(100u << 20);
  EXPECT_TRUE(status == 0 || status == 400 || status == 431) << status;
  EXPECT_LT(peak_resident_bytes(bridge.process().pid()), 64u << 20);
  EXPECT_EQ(bridge.get("/healthz").first, 200);
}

// One announced past 1 MiB gets 413 before it is read, a chunked one 413 once it passes 2 MiB
// (its framing included); neither may hold the bridge's memory (it did: 600 MB).
TEST_F(BridgeHttpGuard, AnEndlessBodyIsRefusedWithBoundedMemory) {
  auto& bridge = start_bridge();
  for (size_t declared : {size_t{1} << 30, size_t{0}}) {
    RawConnection upload(bridge.health_port(), 20s);
    int status = upload.send_endless_body("/metrics", declared, 64u << 20);
    EXPECT_TRUE(status == 0 || status == 413) << declared << ": " << status;
  }
  EXPECT_LT(peak_resident_bytes(bridge.process().pid()), 32u << 20);
  EXPECT_EQ(bridge.get("/healthz").first, 200);
}

TEST_F(BridgeHttpGuard, SigtermWhileStartingExitsPromptly) {
  for (int round = 0; round < 3; ++round) {
    BridgeProcess bridge(nats_->url(), gateway_->url(), {{"SHUTDOWN_GRACE", "3s"}});
    bridge.start();
    ASSERT_TRUE(wait_first_log_line(bridge.process(), 20s)) << bridge.output();
    bridge.process().signal(SIGTERM);
    EXPECT_EQ(bridge.process().wait(kGrace + 1s), std::optional<int>(0)) << round << "\n" << bridge.output();
  }
}

}  // namespace
}  // namespace rt::testing
