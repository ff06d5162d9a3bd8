// A worker does not wait for its last task's stored result to be confirmed while another task is
// at hand: it reads the confirmation on the way (work_loop.cpp). Every task must still be acked
// once its result is stored, and a result the stream did not confirm must be stored again.
#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/bridge_test.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::testing {
namespace {

constexpr const char* kConsumer = "fleet-a-galahad-security";

class BridgeUnconfirmed : public BridgeTest {
 protected:
  bool consumer_settled() {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", kConsumer);
    return state && state->ack_pending == 0 && state->pending == 0;
  }
  std::vector<std::string> publish_backlog(int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) ids.push_back(bus_->publish_task("security.scan", {{"n", i}}).id);
    return ids;
  }
  void expect_each_answered_once(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      ASSERT_TRUE(bus_->wait_result(id)) << bridges_[0]->output();
      EXPECT_EQ(bus_->stored_results(id), 1u) << id;
    }
  }
};

// Tasks queued behind each other: each one's ack follows its stored result, none is delivered
// twice, and the consumer ends with nothing pending.
TEST_F(BridgeUnconfirmed, ABacklogIsAnsweredOnceAndEveryTaskAcked) {
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "3"}});
  bridge.process().signal(SIGSTOP);  // the tasks wait in the stream, then arrive together
  auto ids = publish_backlog(60);
  bridge.process().signal(SIGCONT);
  EXPECT_TRUE(eventually([&] { return consumer_settled(); })) << "a completed task was never acked";
  expect_each_answered_once(ids);  // acked only once stored
  auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", kConsumer);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->redelivered, 0u);
  EXPECT_EQ(gateway_->call_count(), ids.size());
}

// The results stream is gone while tasks are queued: the confirmations read on the way are
// failures, and each result is stored again, once the stream is back, within its delivery.
TEST_F(BridgeUnconfirmed, AResultNotConfirmedOnTheWayIsStoredAgain) {
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "2"}});
  auto warm = bus_->publish_task("security.scan", {{"n", "warm-up"}});
  ASSERT_TRUE(bus_->wait_result(warm.id)) << bridge.output();
  ASSERT_TRUE(bus_->connection().request("$JS.API.STREAM.DELETE.ROUNDTABLE_RESULTS", "", std::chrono::seconds(5)));
  bridge.process().signal(SIGSTOP);
  auto ids = publish_backlog(6);
  bridge.process().signal(SIGCONT);
  ASSERT_TRUE(eventually([&] { return bridge.output().find("result.publish_failed") != std::string::npos; })) << bridge.output();
  for (const auto& spec : contract::contract_streams(1)) {
    if (spec.name != contract::kResultsStream) continue;
    ASSERT_TRUE(bus_->js().apply_stream(spec));
  }
  // Seen is not stored: the bus's own subscription saw each result, stream or not.
  EXPECT_TRUE(eventually([&] { return consumer_settled(); }, std::chrono::seconds(60))) << bridge.output();
  expect_each_answered_once(ids);
  auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", kConsumer);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->redelivered, 0u) << "stored again within the delivery, not handed back";
  EXPECT_EQ(gateway_->call_count(), ids.size() + 1) << "the gateway is not asked again for a result it gave";
}

}  // namespace
}  // namespace rt::testing
