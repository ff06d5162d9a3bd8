// nats-bridge keeps the intake's lead through a task the gateway answers at once, and hands it
// over as soon as the answer takes its time (task_queue.hpp): a slow call must never stop the
// next task from being read while a slot is free. Each test holds the first task's answer until
// the gateway has seen the second task, which only a bridge that handed its intake over can send.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>

#include "fixtures/await.hpp"
#include "fixtures/bridge_test.hpp"

namespace rt::testing {
namespace {

constexpr auto kLongEnough = std::chrono::seconds(20);

class BridgeIntakeLead : public BridgeTest {
 protected:
  bool is_first(const GatewayCall& call) const { return call.body.find("first") != std::string::npos; }
  bool is_warm_up(const GatewayCall& call) const { return call.body.find("warm-up") != std::string::npos; }
  void second_arrived() {
    if (!second_arrived_flag_.exchange(true)) second_.set_value();
  }
  bool wait_for_second() { return second_seen_.wait_for(kLongEnough) == std::future_status::ready; }

  // The gateway's handler: the warm-up and the second task get `answer` at once; the first gets
  // `first_answer`, which holds it.
  using Answer = std::function<GatewayReply(const std::string& content)>;
  FakeGateway::Handler answering(Answer answer, std::function<GatewayReply()> first_answer) {
    return [this, answer, first_answer](const GatewayCall& call) {
      if (is_warm_up(call)) return answer("warm");
      if (!is_first(call)) {
        second_arrived();
        return answer("second");
      }
      return first_answer();
    };
  }
  // The first call waits (at most kLongEnough) for the second to reach the gateway.
  FakeGateway::Handler holding_the_first(Answer answer) {
    return answering(answer, [this, answer] {
      first_saw_second_ = wait_for_second();
      return answer("first");
    });
  }

  // A quick task first, so that the pair's first call goes out on a kept-alive connection (a new
  // connection hands the intake over before it is made).
  void publish_both_and_expect_answers() {
    auto warm = bus_->publish_task("security.scan", {{"which", "warm-up"}});
    ASSERT_TRUE(bus_->wait_result(warm.id)) << bridges_[0]->output();
    auto first = bus_->publish_task("security.scan", {{"which", "first"}});
    ASSERT_TRUE(gateway_->wait_for_started(2)) << bridges_[0]->output();
    auto second = bus_->publish_task("security.scan", {{"which", "second"}});
    EXPECT_TRUE(bus_->wait_result(second.id)) << bridges_[0]->output();
    EXPECT_TRUE(bus_->wait_result(first.id)) << bridges_[0]->output();
    EXPECT_TRUE(first_saw_second_) << "the second task was not read while the first one's gateway call was waiting";
  }

  std::promise<void> second_;
  std::shared_future<void> second_seen_ = second_.get_future().share();
  std::atomic<bool> second_arrived_flag_{false};
  std::atomic<bool> first_saw_second_{false};
};

TEST_F(BridgeIntakeLead, ASlowWebhookAnswerLetsTheNextTaskIn) {
  gateway_->set_handler(holding_the_first([](const std::string& content) { return completed_reply(content); }));
  start_bridge({{"MAX_CONCURRENCY", "2"}});
  publish_both_and_expect_answers();
}

// The headers and a progress line come at once, the result much later: a streamed answer hands
// the intake over even though its first bytes came within the grace.
TEST_F(BridgeIntakeLead, AStreamedAnswerThatBeginsAtOnceLetsTheNextTaskIn) {
  auto streamed = [] {
    GatewayReply reply;
    reply.ndjson_lines = {R"({"type":"progress","percent":10,"message":"thinking"})",
                          R"({"type":"result","status":"completed","result":{"format":"markdown","content":"first","metadata":{"model":"m"}}})"};
    return reply;
  };
  gateway_->set_handler(answering([](const std::string& content) { return completed_reply(content); }, streamed));
  gateway_->set_after_first_line([this] { first_saw_second_ = wait_for_second(); });
  start_bridge({{"MAX_CONCURRENCY", "2"}});
  publish_both_and_expect_answers();
}

TEST_F(BridgeIntakeLead, ASlowOpenAiAnswerLetsTheNextTaskIn) {
  auto answer = [](const std::string& content) {
    nlohmann::json body = {{"id", "chatcmpl-1"}, {"object", "chat.completion"}, {"model", "m"},
                           {"choices", nlohmann::json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}},
                                                               {"finish_reason", "stop"}}})}};
    return GatewayReply{200, "application/json", body.dump(), {}, {}};
  };
  gateway_->set_handler(holding_the_first(answer));
  start_bridge({{"MAX_CONCURRENCY", "2"}, {"GATEWAY_MODE", "openai"}, {"GATEWAY_MODEL", "m"}});
  publish_both_and_expect_answers();
}

// The gateway answers at once, but the result cannot be stored (its stream is gone): the worker
// retries for the duplicate window, and hands the intake over before its first pause.
TEST_F(BridgeIntakeLead, AResultThatCannotBeStoredLetsTheNextTaskIn) {
  start_bridge({{"MAX_CONCURRENCY", "2"}});
  auto warm = bus_->publish_task("security.scan", {{"which", "warm-up"}});
  ASSERT_TRUE(bus_->wait_result(warm.id)) << bridges_[0]->output();
  ASSERT_TRUE(bus_->connection().request("$JS.API.STREAM.DELETE.ROUNDTABLE_RESULTS", "", std::chrono::seconds(5)));
  bus_->publish_task("security.scan", {{"which", "first"}});
  ASSERT_TRUE(eventually([&] { return bridges_[0]->output().find("result.publish_failed") != std::string::npos; }))
      << bridges_[0]->output();
  bus_->publish_task("security.scan", {{"which", "second"}});
  EXPECT_TRUE(gateway_->wait_for_started(3, kLongEnough)) << "the second task was not read while the first one's result was retried";
}

// One worker reading and running many quick tasks in turn, the lead kept throughout: every task
// is answered once.
TEST_F(BridgeIntakeLead, QuickAnswersOneAfterAnotherAreEachAnsweredOnce) {
  start_bridge({{"MAX_CONCURRENCY", "4"}});
  for (int i = 0; i < 30; ++i) {
    auto task = bus_->publish_task("security.scan", {{"n", i}});
    ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
    EXPECT_EQ(bus_->stored_results(task.id), 1u);
  }
  EXPECT_EQ(gateway_->call_count(), 30u);
}

}  // namespace
}  // namespace rt::testing
