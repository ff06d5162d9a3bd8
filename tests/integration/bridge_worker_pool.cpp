// nats-bridge starts its workers on demand (worker_pool.hpp): an idle bridge runs few threads, and
// a burst of slow tasks still gets MAX_CONCURRENCY calls at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fixtures/await.hpp"
#include "fixtures/bridge_test.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::testing {
namespace {

constexpr int kConcurrency = 6;

size_t thread_count(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) ++n;
  return n;
}

struct Published {
  std::string domain;
  std::string id;
};

// What JetStream says the bridge holds (delivered and not acked), summed over its consumers.
uint64_t held_by(const std::vector<nats::ConsumerState>& consumers) {
  uint64_t held = 0;
  for (const auto& consumer : consumers) held += consumer.ack_pending;
  return held;
}

bool every_one_asking(const std::vector<nats::ConsumerState>& consumers) {
  return std::ranges::all_of(consumers, [](const auto& consumer) { return consumer.waiting > 0; });
}

bool none_asking(const std::vector<nats::ConsumerState>& consumers) {
  return std::ranges::none_of(consumers, [](const auto& consumer) { return consumer.waiting > 0; });
}

// The most in-progress acks ("+WPI") any one delivery got among the acks seen from index `from` on:
// the bridge's keeper sends one for each task it holds every time it goes round.
size_t most_keep_alives(const std::vector<Received>& acks, size_t from) {
  std::map<std::string, size_t> per_delivery;
  size_t most = 0;
  for (size_t i = from; i < acks.size(); ++i)
    if (acks[i].data == "+WPI") most = std::max(most, ++per_delivery[acks[i].subject]);
  return most;
}

std::string describe(const std::vector<nats::ConsumerState>& consumers) {
  std::string text;
  for (const auto& consumer : consumers)
    text += consumer.name + ": " + std::to_string(consumer.ack_pending) + " held, " + std::to_string(consumer.waiting) + " requests open\n";
  return text;
}

class BridgeWorkerPool : public BridgeTest {
 protected:
  // The consumers of galahad's domains as JetStream reports them (one not created yet reads as empty).
  std::vector<nats::ConsumerState> consumers(const std::vector<std::string>& domains) {
    std::vector<nats::ConsumerState> states;
    for (const auto& domain : domains) {
      const std::string name = "fleet-a-galahad-" + domain;
      auto state = bus_->js().consumer_state(contract::kTasksStream, name);
      states.push_back(state ? *state : nats::ConsumerState{});
      states.back().name = name;
    }
    return states;
  }

  // True once no consumer has a request open, so that nothing more is delivered until the bridge
  // asks again, or once the bridge holds more than `bound` already.
  bool wait_until_none_asking_or_past(int bound, const std::vector<std::string>& domains) {
    return eventually([&] {
      auto states = consumers(domains);
      return held_by(states) > static_cast<uint64_t>(bound) || none_asking(states);
    }, std::chrono::seconds(15));
  }

  void publish_slow_tasks(const std::string& domain, int count, std::vector<Published>& published) {
    for (int i = 0; i < count; ++i) published.push_back({domain, bus_->publish_task(domain + ".scan", {{"slow", i}}).id});
  }

  void expect_each_answered_once(const std::vector<Published>& published) {
    for (const auto& task : published) {
      EXPECT_TRUE(bus_->wait_result(task.id)) << task.domain << " " << task.id;
      EXPECT_EQ(bus_->stored_results(task.id, task.domain), 1u) << task.domain << " " << task.id;
    }
  }
};

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

// Four domains share 8 places (4 workers, a look-ahead of 4): a share of 2 each. A consumer with
// no open request asks for its share of the free places or for the idle workers, whichever is
// more: a pass that asks past the places leaves held + asked for at most MAX_CONCURRENCY + what
// the other domains' open requests still await, a share each at most. That is the bound of
// docs/contract.md §3, max(places, MAX_CONCURRENCY + (domains - 1) * share) = 4 + 3 * 2 = 10 here.
// Requests for 2 open on every domain; 11 slow tasks (more than the bound) on the first bring 2,
// then 2 more for the 2 idle workers, though the open requests fill the places; 11 on each other
// domain then bring 2 each: 10 held, the bound itself. With every worker held at the gateway and no request open,
// only the keeper can ask again: every ACK_WAIT/3 it reads the intake, then sends an in-progress
// ack for each task held. Of three rounds seen once no request is open, the second began after
// that, and what it asked for has reached the server by the third.
TEST_F(BridgeWorkerPool, FourDomainsHoldNoMoreThanTheirWorkersPlusTheOtherDomainsShares) {
  constexpr int kWorkers = 4, kLookahead = 4, kPlaces = kWorkers + kLookahead, kDomains = 4, kShare = kPlaces / kDomains,
                kBound = std::max(kPlaces, kWorkers + (kDomains - 1) * kShare);
  constexpr int kTasksPerDomain = kBound + 1;
  const std::vector<std::string> domains{"security", "comms", "research", "finance"};
  MessageCollector acks(bus_->connection(), "$JS.ACK.ROUNDTABLE_TASKS.>");
  Gate release;
  gateway_->set_handler([&](const GatewayCall&) {
    release.wait();
    return completed_reply("ok");
  });
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", std::to_string(kWorkers)},
                               {"PRIORITY_LOOKAHEAD", std::to_string(kLookahead)},
                               {"TASK_DOMAINS", "security,comms,research,finance"}});
  ASSERT_TRUE(eventually([&] { return every_one_asking(consumers(domains)); }, std::chrono::seconds(10)))
      << describe(consumers(domains)) << bridge.output();

  std::vector<Published> published;
  publish_slow_tasks(domains[0], kTasksPerDomain, published);
  const bool workers_full = gateway_->wait_for_started(kWorkers, std::chrono::seconds(15));
  for (size_t d = 1; d < domains.size(); ++d) publish_slow_tasks(domains[d], kTasksPerDomain, published);
  bool quiet = wait_until_none_asking_or_past(kBound, domains);
  const size_t quiet_from = acks.messages().size();
  const bool keeper_went_round = acks.wait_until([&](const auto& seen) { return most_keep_alives(seen, quiet_from) >= 3; },
                                                 std::chrono::seconds(10));
  quiet = quiet && wait_until_none_asking_or_past(kBound, domains);
  const auto settled = consumers(domains);
  release.open();

  EXPECT_TRUE(workers_full) << "4 workers and fewer calls at once\n" << describe(settled);
  EXPECT_TRUE(quiet && keeper_went_round) << "a request stayed open, or no in-progress acks\n" << describe(settled);
  EXPECT_LE(held_by(settled), static_cast<uint64_t>(kBound)) << describe(settled);
  EXPECT_GT(held_by(settled), static_cast<uint64_t>(kPlaces)) << "idle workers not asked for past the shares\n" << describe(settled);
  expect_each_answered_once(published);
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
