// nats-bridge delivery: the happy paths, NDJSON progress, priorities, retries and refusals.
#include <gtest/gtest.h>

#include <atomic>

#include "fixtures/bridge_test.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using contract::Priority;

class BridgeDelivery : public BridgeTest {};

TEST_F(BridgeDelivery, WebhookTaskIsAnsweredOnTheResultSubject) {
  start_bridge({{"GATEWAY_TOKEN", "s3cret-token"}});
  auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result) << bridges_[0]->output();
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_EQ((*result)["from"], "galahad");
  EXPECT_EQ((*result)["to"], "tim");
  EXPECT_EQ((*result)["payload"]["status"], "completed");
  EXPECT_EQ((*result)["payload"]["result"]["content"], "ok: security.briefing");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1);
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["model"], "fake-model");

  auto calls = gateway_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].path, "/webhook");
  EXPECT_EQ(calls[0].task_id(), task.id);
  EXPECT_EQ(calls[0].json["payload"]["params"]["scope"], "home");
  EXPECT_EQ(calls[0].headers["Authorization"], "Bearer s3cret-token");
  EXPECT_EQ(calls[0].headers["X-Roundtable-Attempt"], "1");
  EXPECT_TRUE(parse_rfc3339(calls[0].headers["X-Roundtable-Deadline"]).has_value());
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
  EXPECT_EQ(bridges_[0]->output().find("s3cret-token"), std::string::npos) << "a secret reached the log";
}

// task.claimed goes out once the gateway has not answered within CLAIM_NOTICE_AFTER (100ms by
// default): it is stored while the gateway is still working on the answer.
TEST_F(BridgeDelivery, TaskClaimedIsStoredWhileTheGatewayWorks) {
  std::atomic<bool> claim_seen_first{false};
  gateway_->set_handler([&](const GatewayCall& call) {
    claim_seen_first = bus_->events().wait_until([&](auto&) { return !bus_->events_for(call.task_id(), "task.claimed").empty(); });
    return completed_reply("ok");
  });
  start_bridge();
  auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
  ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
  EXPECT_TRUE(claim_seen_first) << "task.claimed was not published until the gateway answered";
  EXPECT_EQ(bus_->events_for(task.id, "task.claimed").size(), 1u);
}

int64_t stored_claims(Bus& bus) {
  auto count = bus.js().count_messages(contract::kEventsStream, *contract::event_subject("fleet-a", "task.claimed"));
  return count ? static_cast<int64_t>(*count) : -1;
}

// CLAIM_NOTICE_AFTER=0, a gateway that answers at once: task.claimed is published exactly once
// per delivery, as soon as the request is written, and stored before the result.
TEST_F(BridgeDelivery, WithClaimNoticeAfterZeroAnAnswerReadAtOnceIsClaimedOnceBeforeItsResult) {
  start_bridge({{"CLAIM_NOTICE_AFTER", "0"}});
  auto claims_stored = [&] { return stored_claims(*bus_); };
  std::vector<std::string> ids;
  for (int i = 1; i <= 20; ++i) {
    auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
    ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
    EXPECT_EQ(claims_stored(), i) << "task " << i << ": its claim was not stored before its result";
    ids.push_back(task.id);
  }
  for (const auto& id : ids)
    EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return bus_->events_for(id, "task.claimed").size() == 1u; })) << id;
}

// A call answered within CLAIM_NOTICE_AFTER has no task.claimed: its result says who answered.
// A progress line is claimed before it, however soon it comes: here it comes from the fourth
// task, whose claim, published by the same bridge after any the first three could have had, is
// the only one stored.
TEST_F(BridgeDelivery, AnAnswerWithinClaimNoticeAfterIsNotClaimedButProgressIs) {
  gateway_->set_handler([](const GatewayCall& call) {
    if (call.json["payload"]["params"].value("progress", false)) {
      GatewayReply reply;
      reply.ndjson_lines = {R"({"type":"progress","percent":50,"message":"halfway"})",
                            R"({"type":"result","status":"completed","result":{"format":"markdown","content":"done"}})"};
      return reply;
    }
    return completed_reply("ok");
  });
  start_bridge({{"CLAIM_NOTICE_AFTER", "10m"}});
  std::vector<std::string> quick;
  for (int i = 0; i < 3; ++i) {
    auto task = bus_->publish_task("security.briefing", {{"progress", false}});
    ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
    quick.push_back(task.id);
  }
  auto slow = bus_->publish_task("security.briefing", {{"progress", true}});
  ASSERT_TRUE(bus_->wait_result(slow.id)) << bridges_[0]->output();
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events_for(slow.id, "task.progress").empty(); }));
  EXPECT_EQ(stored_claims(*bus_), 1);
  for (const auto& id : quick) EXPECT_TRUE(bus_->events_for(id, "task.claimed").empty()) << id;
  std::vector<std::string> order;
  for (const auto& message : bus_->events().messages()) {
    auto doc = json::parse(message.data, nullptr, false);
    if (doc.is_object() && doc.value("correlationId", "") == slow.id) order.push_back(doc.value("type", ""));
  }
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "task.claimed") << "the claim must come before the progress it explains";
  EXPECT_EQ(order[1], "task.progress");
}

// An answer that begins at once but lasts longer than CLAIM_NOTICE_AFTER (an NDJSON stream with
// no progress line) is still claimed, before its result.
TEST_F(BridgeDelivery, ACallThatOutlastsTheNoticeIsClaimedBeforeItsResultThoughItsAnswerBeganAtOnce) {
  gateway_->set_handler([](const GatewayCall&) {
    GatewayReply reply;
    reply.ndjson_lines = {R"({"type":"note","message":"not a progress line"})",
                          R"({"type":"result","status":"completed","result":{"format":"markdown","content":"late"}})"};
    reply.line_gap = std::chrono::milliseconds(300);
    return reply;
  });
  start_bridge({{"CLAIM_NOTICE_AFTER", "50ms"}});
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
  EXPECT_EQ(stored_claims(*bus_), 1) << "its claim was not stored before its result";
  EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return bus_->events_for(task.id, "task.claimed").size() == 1u; }));
}

// The wait for the answer to begin never outlasts the call: a task that expires before
// CLAIM_NOTICE_AFTER is claimed by its expiry while the gateway still works on it.
TEST_F(BridgeDelivery, ATaskExpiringBeforeTheNoticeIsClaimedByItsDeadline) {
  std::atomic<bool> claim_seen_first{false};
  gateway_->set_handler([&](const GatewayCall& call) {
    claim_seen_first = bus_->events().wait_until([&](auto&) { return !bus_->events_for(call.task_id(), "task.claimed").empty(); });
    return completed_reply("ok");
  });
  start_bridge({{"CLAIM_NOTICE_AFTER", "10m"}});
  auto task = bus_->publish_task("security.briefing", {}, Priority::normal, std::nullopt, /*ttl=*/3);
  ASSERT_TRUE(bus_->wait_result(task.id)) << bridges_[0]->output();
  EXPECT_TRUE(claim_seen_first) << "the claim waited past the task's deadline";
}

// In openai mode too, a call not answered within CLAIM_NOTICE_AFTER is claimed while it runs.
TEST_F(BridgeDelivery, OpenAiModeSendsChatCompletionAndPublishesContent) {
  std::atomic<bool> claim_seen_first{false};
  gateway_->set_handler([&](const GatewayCall& call) {
    const std::string task_id = call.json.value("user", "");
    claim_seen_first = bus_->events().wait_until([&](auto&) { return !bus_->events_for(task_id, "task.claimed").empty(); });
    json body = {{"id", "chatcmpl-1"}, {"object", "chat.completion"}, {"model", "openclaw:main"},
                 {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "briefing text"}}},
                                           {"finish_reason", "stop"}}})},
                 {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 7}, {"total_tokens", 19}}}};
    return GatewayReply{200, "application/json", body.dump(), {}, {}};
  });
  start_bridge({{"GATEWAY_MODE", "openai"}, {"GATEWAY_MODEL", "openclaw:galahad"}, {"GATEWAY_TOKEN", "tok"}});
  auto task = bus_->publish_task("security.briefing", {{"scope", "home"}});
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result) << (gateway_->calls().empty() ? "no call" : gateway_->calls()[0].path + " " + gateway_->calls()[0].body);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "briefing text");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["inputTokens"], 12);
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["outputTokens"], 7);
  auto calls = gateway_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].path, "/v1/chat/completions");
  EXPECT_EQ(calls[0].json["model"], "openclaw:galahad");
  EXPECT_EQ(calls[0].json["user"], task.id);  // one OpenClaw session per task (docs/openclaw.md)
  EXPECT_EQ(calls[0].json["messages"][0]["role"], "user");
  EXPECT_NE(calls[0].json["messages"][0]["content"].get<std::string>().find("security.briefing"), std::string::npos);
  EXPECT_EQ(calls[0].headers["Authorization"], "Bearer tok");
  EXPECT_TRUE(claim_seen_first) << "task.claimed was not published while the gateway worked";
}

TEST_F(BridgeDelivery, NdjsonProgressLinesBecomeProgressEvents) {
  gateway_->set_handler([](const GatewayCall&) {
    GatewayReply reply;
    reply.ndjson_lines = {R"({"type":"progress","percent":30,"message":"scanning"})",
                          R"({"type":"progress","percent":60,"message":"summarising","subTasks":[{"id":"sub-1","status":"completed","description":"cves"}]})",
                          R"({"type":"result","status":"completed","result":{"format":"markdown","content":"done","metadata":{"model":"m"}}})"};
    return reply;
  });
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "done");
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return bus_->events_for(task.id, "task.progress").size() >= 2; }));
  auto progress = bus_->events_for(task.id, "task.progress");
  EXPECT_EQ(progress[0]["payload"]["percent"], 30);
  EXPECT_EQ(progress[1]["payload"]["message"], "summarising");
  EXPECT_EQ(progress[1]["payload"]["subTasks"][0]["id"], "sub-1");
}

TEST_F(BridgeDelivery, HigherPriorityRunsFirstUnderConcurrencyOne) {
  Gate release_blocker;
  gateway_->set_handler([&](const GatewayCall& call) {
    if (call.json["payload"]["params"].value("blocker", false)) release_blocker.wait();
    return completed_reply("ok");
  });
  start_bridge({{"MAX_CONCURRENCY", "1"}, {"PRIORITY_LOOKAHEAD", "4"}});
  auto blocker = bus_->publish_task("security.scan", {{"blocker", true}});
  ASSERT_TRUE(gateway_->wait_for_started(1));
  auto low = bus_->publish_task("security.scan", {{"name", "low"}}, Priority::low);
  auto normal = bus_->publish_task("security.scan", {{"name", "normal"}}, Priority::normal);
  auto high = bus_->publish_task("security.scan", {{"name", "high"}}, Priority::high);
  auto critical = bus_->publish_task("security.scan", {{"name", "critical"}}, Priority::critical);
  // All four are held by the bridge (fetched into its look-ahead) before the slot frees.
  ASSERT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 5;
  }));
  release_blocker.open();
  ASSERT_TRUE(gateway_->wait_for_calls(5));
  auto calls = gateway_->calls();
  std::vector<std::string> order;
  for (size_t i = 1; i < calls.size(); ++i) order.push_back(calls[i].json["payload"]["params"].value("name", ""));
  EXPECT_EQ(order, (std::vector<std::string>{"critical", "high", "normal", "low"}));
  for (const auto& t : {low, normal, high, critical}) EXPECT_TRUE(bus_->wait_result(t.id));
}

TEST_F(BridgeDelivery, RetryableFailureIsRetriedThenSucceeds) {
  std::atomic<int> calls{0};
  gateway_->set_handler([&](const GatewayCall&) {
    if (calls++ == 0) return GatewayReply{503, "application/json", R"({"error":"busy"})", {{"Retry-After", "0"}}, {}};
    return completed_reply("second time lucky");
  });
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "second time lucky");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 2);
  EXPECT_EQ(gateway_->call_count(), 2u);
  EXPECT_EQ(gateway_->calls()[1].headers["X-Roundtable-Attempt"], "2");
  EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events_for(task.id, "task.retrying").empty(); }));
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

TEST_F(BridgeDelivery, PermanentClientErrorFailsOnceWithoutRetry) {
  gateway_->set_handler([](const GatewayCall&) { return GatewayReply{422, "application/json", R"({"error":"bad params"})", {}, {}}; });
  start_bridge();
  auto task = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.failed");
  EXPECT_EQ((*result)["payload"]["error"], "invalid_params");
  EXPECT_EQ((*result)["payload"]["retryable"], false);
  auto next = bus_->publish_task("security.other");
  ASSERT_TRUE(bus_->wait_result(next.id));
  EXPECT_EQ(gateway_->call_count(), 2u) << "the failed task must not be retried";
}

TEST_F(BridgeDelivery, AlwaysUnavailableGatewayDeadLettersAfterMaxDeliver) {
  gateway_->set_handler([](const GatewayCall&) { return GatewayReply{503, "text/plain", "down", {}, {}}; });
  start_bridge({{"MAX_DELIVER", "3"}});
  auto task = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.failed");
  EXPECT_EQ((*result)["payload"]["error"], "gateway_unavailable");
  EXPECT_EQ((*result)["payload"]["attempt"], 3);
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events_for(task.id, "task.deadletter").empty(); }));
  EXPECT_EQ(bus_->events_for(task.id, "task.failed").size(), 1u);
  EXPECT_EQ(bus_->events_for(task.id, "task.retrying").size(), 2u);
  // Nothing is redelivered after the terminate: a later task is the fourth call.
  gateway_->set_handler([](const GatewayCall&) { return completed_reply("back"); });
  auto next = bus_->publish_task("security.other");
  ASSERT_TRUE(bus_->wait_result(next.id));
  EXPECT_EQ(gateway_->call_count(), 4u);
}

struct BadInput {
  std::string name;
  std::function<std::string(const std::string& id)> bytes;
  std::string subject;
  std::string reason_fragment;
  bool id_readable;
};

TEST_F(BridgeDelivery, BadInputIsRejectedAndTheNextTaskStillCompletes) {
  start_bridge();
  const std::string ts = format_rfc3339(std::chrono::system_clock::now());
  auto envelope_with = [&](const std::string& id, const std::string& version, const std::string& task, const std::string& timestamp) {
    return json{{"id", id}, {"version", version}, {"type", "task.request"}, {"from", "tim"}, {"timestamp", timestamp},
                {"ttl", 60}, {"payload", {{"task", task}}}}.dump();
  };
  std::vector<BadInput> inputs{
      {"malformed json", [](const std::string&) { return std::string("{\"id\": oops"); }, "fleet-a.tasks.security.briefing", "not valid JSON", false},
      {"major version 2", [&](const std::string& id) { return envelope_with(id, "2.0", "security.briefing", ts); },
       "fleet-a.tasks.security.briefing", "version", true},
      {"expired ttl", [&](const std::string& id) { return envelope_with(id, "1.0", "security.briefing", "2020-01-01T00:00:00Z"); },
       "fleet-a.tasks.security.briefing", "expired", true},
      {"task/subject mismatch", [&](const std::string& id) { return envelope_with(id, "1.0", "security.other", ts); },
       "fleet-a.tasks.security.briefing", "does not match", true},
  };
  for (const auto& input : inputs) {
    std::string id = make_uuid_v4();
    std::string bytes = input.bytes(id);
    bus_->publish_raw(input.subject, bytes, id);
    auto next = bus_->publish_task("security.briefing");
    ASSERT_TRUE(bus_->wait_result(next.id)) << input.name;
    ASSERT_TRUE(bus_->events().wait_until([&](auto&) {
      for (const auto& e : bus_->events().of_type("task.rejected"))
        if (e["payload"].value("raw", "") == base64_encode(bytes)) return true;
      return false;
    })) << input.name << ": no task.rejected event carrying the raw bytes";
    for (const auto& e : bus_->events().of_type("task.rejected")) {
      if (e["payload"].value("raw", "") != base64_encode(bytes)) continue;
      EXPECT_NE(e["payload"].value("reason", "").find(input.reason_fragment), std::string::npos) << input.name << ": " << e.dump();
    }
    if (input.id_readable) {
      auto failed = bus_->wait_result(id);
      ASSERT_TRUE(failed) << input.name;
      EXPECT_EQ((*failed)["type"], "task.failed") << input.name;
      EXPECT_EQ((*failed)["payload"]["error"], input.name == "expired ttl" ? "timeout" : "invalid_params") << input.name;
    }
  }
  EXPECT_EQ(gateway_->call_count(), inputs.size()) << "only the valid tasks reach the gateway";
  // Acks trail the results a little: wait for the consumer to settle, then check nothing came back.
  EXPECT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 0 && state->pending == 0;
  })) << "refused messages are terminated, not redelivered";
  auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->redelivered, 0u);
}

}  // namespace
}  // namespace rt::testing
