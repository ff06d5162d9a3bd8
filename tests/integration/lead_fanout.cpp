// The lead fans a request out to knights over real NATS and synthesises one answer.
#include <gtest/gtest.h>

#include <condition_variable>
#include <set>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

struct Knight {
  std::string agent, domain;
};

class LeadFanout : public ::testing::Test {
 protected:
  void start_knights(const std::vector<Knight>& knights) {
    for (const auto& k : knights) {
      bridges_.push_back(std::make_unique<BridgeProcess>(
          nats_.url(), knights_gateway_.url(),
          std::map<std::string, std::string>{{"AGENT_ID", k.agent}, {"TASK_DOMAINS", k.domain}, {"REDIS_URL", redis_.url()}}));
      bridges_.back()->start();
      ASSERT_TRUE(bridges_.back()->wait_ready()) << bridges_.back()->output();
    }
  }
  GatewayProcess& start_lead() {
    lead_ = std::make_unique<GatewayProcess>(lead_ws_.dir(), std::map<std::string, std::string>{
        {"LLM_PROVIDER", "offline"}, {"NATS_URL", nats_.url()}, {"REDIS_URL", redis_.url()}});
    lead_->start();
    EXPECT_TRUE(lead_->wait_ready()) << lead_->output();
    return *lead_;
  }
  json ask_lead(const std::string& text) {
    json body = {{"model", "tim"}, {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
    auto [status, reply] = lead_->post("/v1/chat/completions", body.dump());
    EXPECT_EQ(status, 200) << reply;
    return json::parse(reply, nullptr, false);
  }

  NatsServer nats_;
  RedisServer redis_;
  FakeGateway knights_gateway_;
  TempWorkspace lead_ws_{"lead"};
  std::vector<std::unique_ptr<BridgeProcess>> bridges_;
  std::unique_ptr<GatewayProcess> lead_;
};

TEST_F(LeadFanout, OneRequestBecomesOneParallelTaskPerKnightAndOneAnswer) {
  std::mutex mutex;
  std::condition_variable all_in;
  int started = 0;
  knights_gateway_.set_handler([&](const GatewayCall& call) {
    std::unique_lock lock(mutex);
    ++started;
    all_in.notify_all();
    // Only calls that run at the same time get past this together.
    all_in.wait_for(lock, std::chrono::seconds(10), [&] { return started >= 3; });
    return completed_reply("report from " + call.task());
  });
  start_knights({{"galahad", "security"}, {"percival", "comms"}, {"gawain", "intel"}});
  start_lead();
  auto answer = ask_lead("Morning briefing please");
  std::string content = answer["choices"][0]["message"]["content"];
  for (const char* part : {"report from security.briefing", "report from comms.briefing", "report from intel.briefing"})
    EXPECT_NE(content.find(part), std::string::npos) << part << "\n" << content;
  EXPECT_NE(content.find("All 3 knights answered"), std::string::npos) << content;
  auto calls = knights_gateway_.calls();
  ASSERT_EQ(calls.size(), 3u) << "one task per knight";
  for (const auto& a : calls)
    for (const auto& b : calls) EXPECT_LT(a.started, b.finished) << "the knights' gateway calls overlap";
  std::set<std::string> correlations;
  for (const auto& call : calls) correlations.insert(call.json.value("correlationId", ""));
  EXPECT_EQ(correlations.size(), 1u) << "every task carries the lead's own task as correlationId";
  EXPECT_EQ(calls[0].json["from"], "tim");
}

TEST_F(LeadFanout, AMissingKnightIsNamedAndTheLeadStillAnswersInTime) {
  start_knights({{"galahad", "security"}, {"percival", "comms"}});  // gawain is down
  start_lead();
  auto started = std::chrono::steady_clock::now();
  auto answer = ask_lead("Morning briefing please");
  auto waited = std::chrono::steady_clock::now() - started;
  std::string content = answer["choices"][0]["message"]["content"];
  EXPECT_NE(content.find("ok: security.briefing"), std::string::npos) << content;
  EXPECT_NE(content.find("ok: comms.briefing"), std::string::npos) << content;
  EXPECT_NE(content.find("Missing: gawain"), std::string::npos) << content;
  EXPECT_LT(waited, std::chrono::seconds(30)) << "bounded by the delegate deadline (5s), never a hang";
}

TEST_F(LeadFanout, PeerRequestIsAnsweredAndPeerMessageStored) {
  start_lead();
  Bus bus(nats_.url());
  auto reply = bus.connection().request("roundtable.peer.fleet-a.request",
                                        json{{"fleet", "fleet-b"}, {"payload", {{"question", "is the drawbridge up?"}}}}.dump(),
                                        std::chrono::seconds(20));
  ASSERT_TRUE(reply) << reply.error().message;
  json doc = json::parse(reply->data());
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_NE(doc["content"].get<std::string>().find("drawbridge"), std::string::npos);
  ASSERT_TRUE(bus.connection().publish("roundtable.peer.fleet-a.message",
                                       json{{"fleet", "fleet-b"}, {"payload", {{"text", "the bridge at the ford is closed"}}}}.dump()));
  redis::Client client(*redis::parse_redis_url(redis_.url()), Logger());
  EXPECT_TRUE(eventually([&] {
    auto list = client.command({"LRANGE", "rt:fleet-a:queue:peer-messages", "0", "-1"});
    return list && !list->elements.empty() && list->elements[0].text.find("ford is closed") != std::string::npos;
  }));
}

}  // namespace
}  // namespace rt::testing
