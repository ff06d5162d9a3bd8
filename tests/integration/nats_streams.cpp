// The JetStream wrapper on a real nats-server: streams of CONTRACT §2, consumers of §3.
#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::testing {
namespace {

using namespace std::chrono_literals;
using contract::Retention;
using contract::Storage;

class NatsStreams : public ::testing::Test {
 protected:
  void SetUp() override {
    nats::NatsSettings settings;
    settings.servers = {server_.url()};
    auto connection = nats::Connection::connect(settings, Logger(LogSettings{"error", LogFormat::json, "test", {}}));
    ASSERT_TRUE(connection) << connection.error().message;
    connection_ = std::move(*connection);
    ASSERT_TRUE(connection_->wait_connected(10s));
    auto js = nats::JetStream::create(*connection_);
    ASSERT_TRUE(js);
    js_ = std::move(*js);
  }
  void apply_all(nats::ApplyOutcome expected) {
    for (const auto& spec : contract::contract_streams(1)) {
      auto report = js_->apply_stream(spec);
      ASSERT_TRUE(report) << report.error().message;
      EXPECT_EQ(report->outcome, expected) << spec.name;
    }
  }
  NatsServer server_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::JetStream> js_;
};

TEST_F(NatsStreams, AllFourStreamsAreCreatedAsTheContractSays) {
  apply_all(nats::ApplyOutcome::created);
  auto tasks = js_->stream_state("ROUNDTABLE_TASKS");
  ASSERT_TRUE(tasks);
  EXPECT_EQ(tasks->subjects, std::vector<std::string>{"*.tasks.>"});
  EXPECT_EQ(tasks->retention, Retention::work_queue);
  EXPECT_EQ(tasks->storage, Storage::file);
  EXPECT_EQ(tasks->max_age, 24h);
  EXPECT_EQ(tasks->max_msg_size, 1 << 20);
  EXPECT_EQ(tasks->duplicate_window, 2min);
  EXPECT_TRUE(tasks->discard_old);
  auto results = js_->stream_state("ROUNDTABLE_RESULTS");
  EXPECT_EQ(results->subjects, std::vector<std::string>{"*.results.>"});
  EXPECT_EQ(results->retention, Retention::limits);
  EXPECT_EQ(results->max_age, 7 * 24h);
  EXPECT_EQ(results->max_msg_size, 4 << 20);
  EXPECT_EQ(results->duplicate_window, 2min);
  auto events = js_->stream_state("ROUNDTABLE_EVENTS");
  EXPECT_EQ(events->subjects, std::vector<std::string>{"roundtable.events.>"});
  EXPECT_EQ(events->max_age, 30 * 24h);
  EXPECT_EQ(events->max_msg_size, 1 << 20);
  auto heartbeat = js_->stream_state("ROUNDTABLE_HEARTBEAT");
  EXPECT_EQ(heartbeat->subjects, std::vector<std::string>{"*.heartbeat.>"});
  EXPECT_EQ(heartbeat->storage, Storage::memory);
  EXPECT_EQ(heartbeat->max_age, 1h);
  EXPECT_EQ(heartbeat->max_msgs_per_subject, 5);
}

TEST_F(NatsStreams, ApplyingTwiceIsANoOp) {
  apply_all(nats::ApplyOutcome::created);
  apply_all(nats::ApplyOutcome::unchanged);
}

TEST_F(NatsStreams, ADifferentMaxAgeIsUpdatedAndReported) {
  auto spec = contract::contract_streams(1)[1];
  spec.max_age = 1h;
  ASSERT_EQ(js_->apply_stream(spec)->outcome, nats::ApplyOutcome::created);
  auto report = js_->apply_stream(contract::contract_streams(1)[1]);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, nats::ApplyOutcome::updated);
  ASSERT_EQ(report->differences.size(), 1u);
  EXPECT_NE(report->differences[0].find("max_age 1h -> 168h"), std::string::npos) << report->differences[0];
  EXPECT_EQ(js_->stream_state("ROUNDTABLE_RESULTS")->max_age, 7 * 24h);
}

TEST_F(NatsStreams, WrongStorageIsAMismatchNotSilentlyIgnored) {
  auto spec = contract::contract_streams(1)[3];
  spec.storage = Storage::file;
  ASSERT_EQ(js_->apply_stream(spec)->outcome, nats::ApplyOutcome::created);
  auto report = js_->apply_stream(contract::contract_streams(1)[3]);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, nats::ApplyOutcome::mismatch);
  ASSERT_FALSE(report->differences.empty());
  EXPECT_NE(report->differences.back().find("storage file -> memory"), std::string::npos) << report->differences.back();
}

TEST_F(NatsStreams, AConsumerBoundTwiceIsTheSameConsumer) {
  apply_all(nats::ApplyOutcome::created);
  nats::ConsumerSpec spec{"ROUNDTABLE_TASKS", "fleet-a-galahad-security", "fleet-a.tasks.security.>", 30s, 5, 1000};
  auto first = js_->bind_pull(spec);
  ASSERT_TRUE(first) << first.error().message;
  auto second = js_->bind_pull(spec);
  ASSERT_TRUE(second) << second.error().message;
  auto consumers = js_->consumers("ROUNDTABLE_TASKS");
  ASSERT_TRUE(consumers);
  ASSERT_EQ(consumers->size(), 1u);
  EXPECT_EQ((*consumers)[0].name, "fleet-a-galahad-security");
  EXPECT_EQ((*consumers)[0].filter_subject, "fleet-a.tasks.security.>");
  EXPECT_EQ((*consumers)[0].ack_wait, 30s);
  EXPECT_EQ((*consumers)[0].max_deliver, 5);
}

TEST_F(NatsStreams, OverlappingFiltersOfAnotherKnightAreRefusedByName) {
  apply_all(nats::ApplyOutcome::created);
  ASSERT_TRUE(js_->ensure_consumer({"ROUNDTABLE_TASKS", "fleet-a-galahad-security", "fleet-a.tasks.security.>"}));
  auto other = js_->ensure_consumer({"ROUNDTABLE_TASKS", "fleet-a-percival-security", "fleet-a.tasks.security.>"});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::config_error);
  EXPECT_NE(other.error().message.find("fleet-a-galahad-security"), std::string::npos) << other.error().message;
  EXPECT_TRUE(js_->ensure_consumer({"ROUNDTABLE_TASKS", "fleet-a-percival-comms", "fleet-a.tasks.comms.>"}));
}

TEST_F(NatsStreams, PublishAckDeduplicatesOnMsgId) {
  apply_all(nats::ApplyOutcome::created);
  auto first = js_->publish("fleet-a.results.security.t1", "one", "result-t1");
  auto second = js_->publish("fleet-a.results.security.t1", "two", "result-t1");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(*js_->count_messages("ROUNDTABLE_RESULTS", "fleet-a.results.security.t1"), 1u);
  auto last = js_->last_message("ROUNDTABLE_RESULTS", "fleet-a.results.security.t1");
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ((*last)->data(), "one");
}

TEST_F(NatsStreams, FetchAckNakTermAndInProgress) {
  apply_all(nats::ApplyOutcome::created);
  nats::ConsumerSpec spec{"ROUNDTABLE_TASKS", "fleet-a-galahad-security", "fleet-a.tasks.security.>", 30s, 5, 1000};
  auto sub = js_->bind_pull(spec);
  ASSERT_TRUE(sub);
  for (const char* body : {"a", "b", "c"}) js_->publish("fleet-a.tasks.security.x", body, "");
  auto batch = sub->fetch(3, 5s);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_EQ((*batch)[0].delivery()->delivered, 1u);
  EXPECT_TRUE((*batch)[0].in_progress());
  EXPECT_TRUE((*batch)[0].ack());
  EXPECT_TRUE((*batch)[1].nak_with_delay(0ms));
  EXPECT_TRUE((*batch)[2].term());
  auto again = sub->fetch(3, 5s);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u) << "only the nak'ed message comes back";
  EXPECT_EQ((*again)[0].data(), "b");
  EXPECT_EQ((*again)[0].delivery()->delivered, 2u);
  (*again)[0].ack();
  EXPECT_TRUE(eventually([&] {
    auto state = js_->consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->pending == 0 && state->ack_pending == 0;
  }));
  auto empty = sub->fetch(1, 200ms);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty()) << "a fetch with nothing there returns empty, not an error";
}

TEST_F(NatsStreams, RestartKeepsStreamsAndTheClientReconnects) {
  apply_all(nats::ApplyOutcome::created);
  js_->publish("fleet-a.results.security.t9", "kept", "result-t9");
  server_.restart();
  EXPECT_TRUE(eventually([&] { return connection_->connected(); }, 30s));
  for (const auto& spec : contract::contract_streams(1)) {
    auto report = js_->apply_stream(spec);
    ASSERT_TRUE(report) << report.error().message;
    // File streams survive the restart; the memory-backed heartbeat stream is made anew.
    EXPECT_EQ(report->outcome, spec.storage == Storage::file ? nats::ApplyOutcome::unchanged : nats::ApplyOutcome::created) << spec.name;
  }
  EXPECT_EQ(*js_->count_messages("ROUNDTABLE_RESULTS", "fleet-a.results.security.t9"), 1u);
}

}  // namespace
}  // namespace rt::testing
