// nats::PullFeed on a real nats-server: standing pull requests that serve many messages, end on
// expiry, are withdrawn by dropping the inbox, and are acknowledged over the connection.
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "roundtable/nats/pull_feed.hpp"

namespace rt {
namespace {

using namespace std::chrono_literals;
using nats::PullFeed;
using testing::eventually;

constexpr const char* kConsumer = "fleet-a-galahad-security";

class NatsPullFeed : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::NatsServer>();
    nats::NatsSettings settings;
    settings.servers = {server_->url()};
    auto connection = nats::Connection::connect(settings, Logger());
    ASSERT_TRUE(connection.ok()) << connection.error().message;
    connection_ = std::move(*connection);
    ASSERT_TRUE(connection_->wait_connected(10s));
    auto js = nats::JetStream::create(*connection_);
    ASSERT_TRUE(js.ok());
    js_ = std::move(*js);
    for (const auto& spec : contract::contract_streams(1)) ASSERT_TRUE(js_->apply_stream(spec).ok());
    nats::ConsumerSpec consumer{contract::kTasksStream, kConsumer, "fleet-a.tasks.security.>", 30s, 5, 1000};
    ASSERT_TRUE(js_->ensure_consumer(consumer).ok());
  }

  void TearDown() override {
    feed_.reset();
    js_.reset();
    if (connection_) connection_->drain(2s);
    connection_.reset();
    server_.reset();
  }

  void open_feed(nats::PullFeedSettings settings = {}) {
    auto feed = PullFeed::open(*connection_, {{contract::kTasksStream, kConsumer}}, settings);
    ASSERT_TRUE(feed.ok()) << feed.error().message;
    feed_ = std::move(*feed);
  }

  void publish(int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(js_->publish("fleet-a.tasks.security.scan", "task " + std::to_string(i), "").ok());
  }

  std::optional<nats::Message> next_message(std::chrono::milliseconds wait = 5s) {
    auto delivery = feed_->next(wait);
    EXPECT_TRUE(delivery.ok()) << delivery.error().message;
    if (!delivery.ok() || !*delivery) return std::nullopt;
    return std::move((*delivery)->message);
  }

  nats::ConsumerState consumer() {
    auto state = js_->consumer_state(contract::kTasksStream, kConsumer);
    EXPECT_TRUE(state.ok());
    return state.ok() ? *state : nats::ConsumerState{};
  }

  std::unique_ptr<testing::NatsServer> server_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::JetStream> js_;
  std::unique_ptr<PullFeed> feed_;
};

TEST_F(NatsPullFeed, OneRequestServesItsWholeBatchThenEnds) {
  open_feed();
  publish(6);
  ASSERT_TRUE(feed_->request(0, 4).ok());
  EXPECT_FALSE(feed_->request(0, 1).ok()) << "one open request per consumer";
  for (int i = 0; i < 4; ++i) {
    auto message = next_message();
    ASSERT_TRUE(message) << "message " << i;
    EXPECT_EQ(message->data(), "task " + std::to_string(i));
    EXPECT_EQ(feed_->outstanding(0), 3 - i);
    EXPECT_TRUE(message->ack().ok());
  }
  EXPECT_FALSE(next_message(300ms)) << "the request asked for four";
  ASSERT_TRUE(feed_->request(0, 4).ok());
  ASSERT_TRUE(next_message());
  ASSERT_TRUE(next_message());
  EXPECT_EQ(feed_->outstanding(0), 2) << "the request stays open for what is published next";
  publish(1);
  auto late = next_message();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->data(), "task 0");
}

TEST_F(NatsPullFeed, AcksNaksAndTermsGoOverTheConnection) {
  open_feed();
  publish(3);
  ASSERT_TRUE(feed_->request(0, 3).ok());
  auto acked = next_message(), naked = next_message(), termed = next_message();
  ASSERT_TRUE(acked && naked && termed);
  ASSERT_TRUE(acked->delivery());
  EXPECT_EQ(acked->delivery()->delivered, 1u);
  EXPECT_TRUE(acked->in_progress().ok());
  EXPECT_TRUE(acked->ack().ok());
  EXPECT_TRUE(naked->nak_with_delay(0ms).ok());
  EXPECT_TRUE(termed->term().ok());
  ASSERT_TRUE(feed_->request(0, 1).ok());
  auto again = next_message();
  ASSERT_TRUE(again) << "the nak'ed message comes back";
  EXPECT_EQ(again->data(), naked->data());
  EXPECT_EQ(again->delivery()->delivered, 2u);
  EXPECT_TRUE(again->ack().ok());
  EXPECT_TRUE(eventually([&] { return consumer().ack_pending == 0; }));
}

TEST_F(NatsPullFeed, AnOpenRequestIsKeptAliveByHeartbeats) {
  open_feed({.expires = 60s, .heartbeat = 100ms, .missed_heartbeats = 1000});
  ASSERT_TRUE(feed_->request(0, 5).ok());
  EXPECT_TRUE(eventually([&] {
    EXPECT_FALSE(next_message(50ms));
    return feed_->heartbeats() >= 2;
  }));
  EXPECT_EQ(feed_->outstanding(0), 5);
}

TEST_F(NatsPullFeed, AnExpiredRequestEnds) {
  open_feed({.expires = 300ms, .heartbeat = 100ms, .missed_heartbeats = 1000});
  ASSERT_TRUE(feed_->request(0, 5).ok());
  EXPECT_TRUE(eventually([&] {
    EXPECT_FALSE(next_message(100ms));
    return feed_->outstanding(0) == 0;
  })) << "the server's 408 ended it";
}

TEST_F(NatsPullFeed, WithdrawnRequestsLeaveNewMessagesInTheStream) {
  open_feed();
  ASSERT_TRUE(feed_->request(0, 10).ok());
  publish(1);
  auto held = next_message();
  ASSERT_TRUE(held);
  auto stragglers = feed_->withdraw(500ms);
  ASSERT_TRUE(stragglers.ok()) << stragglers.error().message;
  EXPECT_TRUE(stragglers->empty());
  EXPECT_EQ(feed_->outstanding(0), 0);
  publish(2);
  EXPECT_FALSE(next_message(300ms));
  EXPECT_EQ(consumer().pending, 2u) << "nobody asked for them";
  ASSERT_TRUE(feed_->request(0, 2).ok());
  EXPECT_TRUE(next_message());
  EXPECT_TRUE(next_message());
}

TEST_F(NatsPullFeed, WakeFromAnotherThreadEndsAWaitAndWithdrawsTheRequests) {
  open_feed();
  ASSERT_TRUE(feed_->request(0, 10).ok());
  auto waiting = std::async(std::launch::async, [&] { return feed_->next(60s); });
  EXPECT_TRUE(eventually([&] { return consumer().waiting == 1; })) << "the request is open on the server";
  feed_->wake();
  auto woken = waiting.get();  // long before its 60 s
  ASSERT_TRUE(woken.ok()) << woken.error().message;
  EXPECT_FALSE(*woken);
  EXPECT_EQ(feed_->outstanding(0), 0);
  publish(1);
  EXPECT_FALSE(next_message(300ms));
  EXPECT_EQ(consumer().pending, 1u) << "the withdrawn request took nothing";
  ASSERT_TRUE(feed_->request(0, 1).ok());
  EXPECT_TRUE(next_message()) << "a fresh inbox serves new requests";
}

TEST_F(NatsPullFeed, AWakeWhileNobodyWaitsIsTakenAtTheNextRead) {
  open_feed();
  ASSERT_TRUE(feed_->request(0, 10).ok());
  feed_->wake();  // nobody is in next(): the gate closed while the leader ran a task
  auto woken = feed_->next(1s);
  ASSERT_TRUE(woken.ok()) << woken.error().message;
  EXPECT_FALSE(*woken);
  EXPECT_EQ(feed_->outstanding(0), 0) << "the drained inbox was left behind";
  publish(1);
  ASSERT_TRUE(feed_->request(0, 1).ok());
  EXPECT_TRUE(next_message()) << "a fresh inbox serves new requests";
}

// The intake was paused (wake) and opened again before any next(): the request must go to a
// fresh inbox. On the dropped one the server counted the nak'ed message's redelivery into a
// request nobody heard (nats-server 2.9: its count came back wrong, an attempt lost or reset).
TEST_F(NatsPullFeed, ARequestRightAfterAWakeGoesToAFreshInbox) {
  open_feed();
  publish(1);
  ASSERT_TRUE(feed_->request(0, 1).ok());
  auto first = next_message();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->nak_with_delay(100ms).ok());
  publish(2);  // newer tasks wait too, as they did behind the paused bridge
  feed_->wake();
  // The nak's delay runs out on the server while no request is open (it has no event to await):
  // the message is then sent to the very next request, as the paused bridge's was.
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(feed_->request(0, 5).ok());
  std::optional<nats::Message> again;
  for (int turn = 0; turn < 40 && !again; ++turn) {
    auto message = next_message(250ms);
    if (message && message->data() == first->data()) again = std::move(message);
    if (!again && feed_->outstanding(0) == 0) {
      ASSERT_TRUE(feed_->request(0, 5).ok());
    }
  }
  ASSERT_TRUE(again);
  EXPECT_EQ(again->delivery()->delivered, 2u);
}

// A nak right after the inbox was dropped with a request open waits (hold_back) until the server
// has swept that request at its idle heartbeat, so the redelivery is counted once.
TEST_F(NatsPullFeed, ANakRightAfterTheInboxIsDroppedIsCountedOnce) {
  open_feed({.expires = 30s, .heartbeat = 200ms});
  publish(1);
  ASSERT_TRUE(feed_->request(0, 5).ok());
  auto first = next_message();
  ASSERT_TRUE(first);
  auto stragglers = feed_->withdraw(200ms);  // the request (4 left) stays on the server
  ASSERT_TRUE(stragglers.ok());
  auto delay = feed_->redelivery_guard()->hold_back(0ms);
  EXPECT_GT(delay, 0ms);
  ASSERT_TRUE(first->nak_with_delay(delay).ok());
  ASSERT_TRUE(feed_->request(0, 5).ok());
  auto again = next_message();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->delivery()->delivered, 2u);
}

TEST_F(NatsPullFeed, CloseReturnsWhatWasAlreadyOnItsWay) {
  open_feed();
  publish(3);
  ASSERT_TRUE(feed_->request(0, 3).ok());
  EXPECT_TRUE(eventually([&] { return consumer().ack_pending == 3; }));
  auto stragglers = feed_->close(2s);
  ASSERT_EQ(stragglers.size(), 3u) << "delivered to the inbox, not yet read";
  for (auto& message : stragglers) EXPECT_TRUE(message.nak_with_delay(0ms).ok());
  open_feed();
  ASSERT_TRUE(feed_->request(0, 3).ok());
  for (int i = 0; i < 3; ++i) {
    auto again = next_message();  // well within the 30 s ack wait: handed back, not timed out
    ASSERT_TRUE(again) << i;
    EXPECT_EQ(again->delivery()->delivered, 2u);
  }
}

TEST_F(NatsPullFeed, ARequestNobodyAnswersIsForgottenAfterMissedHeartbeats) {
  auto feed = PullFeed::open(*connection_, {{contract::kTasksStream, "no-such-consumer"}}, {.expires = 30s, .heartbeat = 100ms});
  ASSERT_TRUE(feed.ok());
  ASSERT_TRUE((*feed)->request(0, 1).ok());
  EXPECT_TRUE(eventually([&] {
    auto delivery = (*feed)->next(100ms);
    return delivery.ok() && !*delivery && (*feed)->outstanding(0) == 0;
  })) << "a lost request is asked for again, not waited on for its 30 s";
}

TEST_F(NatsPullFeed, ADeletedConsumerEndsItsOpenRequestWithAnError) {
  open_feed();
  ASSERT_TRUE(feed_->request(0, 1).ok());
  EXPECT_FALSE(next_message(200ms));
  ASSERT_TRUE(js_->delete_consumer(contract::kTasksStream, kConsumer).ok());
  auto delivery = feed_->next(5s);
  ASSERT_FALSE(delivery.ok()) << "expected the server to end the request";
  EXPECT_NE(delivery.error().message.find(kConsumer), std::string::npos) << delivery.error().message;
  EXPECT_EQ(feed_->outstanding(0), 0);
}

}  // namespace
}  // namespace rt
