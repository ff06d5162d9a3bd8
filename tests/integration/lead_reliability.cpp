// The lead under trouble: its own deadline, hostile peer requests, a stop while it answers a peer.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/common/time.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class LeadReliability : public ::testing::Test {
 protected:
  void start_knight(const std::string& agent, const std::string& domain) {
    bridges_.push_back(std::make_unique<BridgeProcess>(
        nats_.url(), knights_gateway_.url(), std::map<std::string, std::string>{{"AGENT_ID", agent}, {"TASK_DOMAINS", domain}}));
    bridges_.back()->start();
    ASSERT_TRUE(bridges_.back()->wait_ready()) << bridges_.back()->output();
  }
  // A lead whose delegate waits up to `delegate_deadline` for galahad and percival.
  GatewayProcess& start_lead(const std::string& delegate_deadline) {
    lead_ws_.write("knight.yaml",
                   "name: tim\nfleet: fleet-a\nrole: lead\ndomains: [lead]\n"
                   "model: {provider: offline, name: offline, max_tokens: 2000}\nlimits: {max_tool_iterations: 3}\nskills: []\n"
                   "delegates:\n  - {agent: galahad, task: security.briefing}\n  - {agent: percival, task: comms.briefing}\n"
                   "delegate_deadline: " + delegate_deadline + "\n");
    lead_ = std::make_unique<GatewayProcess>(lead_ws_.dir(), std::map<std::string, std::string>{
        {"LLM_PROVIDER", "offline"}, {"NATS_URL", nats_.url()}, {"GATEWAY_MAX_CONCURRENCY", "2"}});
    lead_->start();
    EXPECT_TRUE(lead_->wait_ready()) << lead_->output();
    return *lead_;
  }
  Result<nats::Message> peer_request(Bus& bus, const json& body, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return bus.connection().request("roundtable.peer.fleet-a.request", body.dump(), timeout);
  }

  NatsServer nats_;
  FakeGateway knights_gateway_;
  TempWorkspace lead_ws_{"lead"};
  std::vector<std::unique_ptr<BridgeProcess>> bridges_;
  std::unique_ptr<GatewayProcess> lead_;
};

TEST_F(LeadReliability, AnswersByItsOwnDeadlineWithWhatItHasNamingWhoIsMissing) {
  start_knight("galahad", "security");  // percival is down
  auto& lead = start_lead("60s");
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(4);
  auto [status, body] = lead.task("lead.briefing", json::object(), {{"X-Roundtable-Deadline", format_rfc3339(deadline)}});
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["status"], "completed") << body.dump() << "\n" << lead.output();
  std::string content = body["result"]["content"];
  EXPECT_NE(content.find("ok: security.briefing"), std::string::npos) << "the answer that came is kept\n" << content;
  EXPECT_NE(content.find("Missing: percival"), std::string::npos) << content;
  EXPECT_LT(std::chrono::system_clock::now(), deadline + std::chrono::seconds(2)) << "answered around its deadline, not delegate's 60 s";
}

TEST_F(LeadReliability, PeerRequestWithWrongTypesGetsAnErrorAndTheLeadLivesOn) {
  auto& lead = start_lead("2s");
  Bus bus(nats_.url());
  for (const json& hostile : {json{{"payload", {{"question", 1}}}}, json{{"payload", {{"question", json::array()}}}},
                              json{{"payload", "text"}}, json{{"payload", {{"text", {{"a", 1}}}}}}, json::array({1, 2}),
                              json{{"fleet", 7}, {"payload", {{"question", "fine"}, {"fact", false}}}}}) {
    auto reply = peer_request(bus, hostile);
    ASSERT_TRUE(reply) << hostile.dump() << ": " << reply.error().message << "\n" << lead.output();
    json doc = json::parse(reply->data());
    EXPECT_EQ(doc["status"], "failed") << hostile.dump();
    EXPECT_EQ(doc["error"], "invalid_params") << hostile.dump();
  }
  std::string deep(200000, '[');
  auto reply = bus.connection().request("roundtable.peer.fleet-a.request", "{\"payload\":" + deep, std::chrono::seconds(20));
  ASSERT_TRUE(reply) << lead.output();
  EXPECT_EQ(json::parse(reply->data())["status"], "failed");
  EXPECT_TRUE(lead.process().running());
  auto fine = peer_request(bus, {{"fleet", "fleet-b"}, {"payload", {{"question", "is the drawbridge up?"}}}});
  ASSERT_TRUE(fine);
  EXPECT_EQ(json::parse(fine->data())["status"], "completed");
}

TEST_F(LeadReliability, StoppedWhileAnsweringAPeerRequestItFinishesTheAnswerAndExitsCleanly) {
  auto& lead = start_lead("3s");  // no knight is up: delegate waits its full 3 s
  Bus bus(nats_.url());
  auto tasks = std::make_unique<MessageCollector>(bus.connection(), "fleet-a.tasks.>");
  auto pending = std::async(std::launch::async, [&] {
    return peer_request(bus, {{"fleet", "fleet-b"}, {"payload", {{"question", "briefing?"}}}}, std::chrono::seconds(30));
  });
  ASSERT_TRUE(tasks->wait_for_count(2)) << "the lead delegated while answering the peer";
  lead.process().signal(SIGTERM);
  auto code = lead.process().wait(std::chrono::seconds(30));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << lead.output();
  auto reply = pending.get();
  ASSERT_TRUE(reply) << "the peer got no answer: " << reply.error().message;
  json doc = json::parse(reply->data());
  EXPECT_EQ(doc["status"], "completed");
  EXPECT_NE(doc["content"].get<std::string>().find("Missing"), std::string::npos) << doc.dump();
}

}  // namespace
}  // namespace rt::testing
