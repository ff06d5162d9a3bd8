// nats-bridge under faults: crashes, NATS restarts, Redis and gateway outages, SIGTERM, long work.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "fixtures/bridge_test.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

class BridgeFaults : public BridgeTest {
 protected:
  bool all_answered(const std::vector<contract::Envelope>& tasks) {
    return eventually([&] {
      for (const auto& t : tasks)
        if (bus_->stored_results(t.id) != 1) return false;
      return true;
    }, std::chrono::seconds(60));
  }
};

TEST_F(BridgeFaults, KilledMidTaskIsRedeliveredAndAnsweredOnce) {
  Gate never;
  gateway_->set_handler([&](const GatewayCall&) {
    never.wait();
    return completed_reply("from the dead bridge");
  });
  auto& first = start_bridge();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(gateway_->wait_for_started(1));
  first.process().signal(SIGKILL);
  first.process().wait(std::chrono::seconds(10));
  gateway_->set_handler([](const GatewayCall&) { return completed_reply("from the new bridge"); });
  never.open();
  start_bridge();
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "from the new bridge");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 2);
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

TEST_F(BridgeFaults, RedeliveryOfAnAlreadyAnsweredTaskIsAckedWithoutWork) {
  Gate never;
  gateway_->set_handler([&](const GatewayCall&) {
    never.wait();
    return completed_reply("late");
  });
  auto& first = start_bridge();
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(gateway_->wait_for_started(1));
  // The crash came after the result was stored and before the ack: store it as the bridge had.
  contract::TaskResult stored;
  stored.content = "stored before the crash";
  auto result_env = contract::make_envelope(std::string(contract::type::task_result), "galahad", contract::to_json(stored),
                                            std::chrono::system_clock::now());
  result_env.correlation_id = task.id;
  bus_->publish_raw(*contract::result_subject("fleet-a", "security", task.id), contract::serialize(result_env), "result-" + task.id);
  first.process().signal(SIGKILL);
  first.process().wait(std::chrono::seconds(10));
  never.open();
  auto& second = start_bridge();
  ASSERT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 0 && state->pending == 0 && state->redelivered == 0;
  }, std::chrono::seconds(30)));
  EXPECT_EQ(gateway_->call_count(), 1u) << "the gateway must not be asked twice";
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
  EXPECT_NE(second.output().find("task.already_answered"), std::string::npos);
}

TEST_F(BridgeFaults, NatsRestartMidRunLosesNothing) {
  start_bridge();
  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < 10; ++i) tasks.push_back(bus_->publish_task("security.scan", {{"n", i}}));
  ASSERT_TRUE(all_answered(tasks));
  nats_->restart();
  ASSERT_TRUE(bus_->connection().wait_connected(std::chrono::seconds(30)));
  for (int i = 10; i < 20; ++i) {
    // The test's own publish may meet the restart too: retry until the stream has it.
    for (int attempt = 0; attempt < 50; ++attempt) {
      try {
        tasks.push_back(bus_->publish_task("security.scan", {{"n", i}}));
        break;
      } catch (const std::exception&) {
        bus_->connection().wait_connected(std::chrono::seconds(5));
      }
    }
  }
  ASSERT_EQ(tasks.size(), 20u);
  EXPECT_TRUE(all_answered(tasks)) << bridges_[0]->output().substr(0, 5000);
  EXPECT_TRUE(bridges_[0]->wait_ready());
  // The memory-backed heartbeat stream did not survive the restart; the bridge puts it back.
  EXPECT_TRUE(eventually([&] { return bus_->js().stream_state("ROUNDTABLE_HEARTBEAT").ok(); }));
}

TEST_F(BridgeFaults, RedisOutageDegradesHeartbeatButTasksComplete) {
  RedisServer redis;
  start_bridge({{"REDIS_URL", redis.url()}});
  auto status_is = [&](const std::string& status) {
    return bus_->heartbeats().wait_until([&](const std::vector<Received>& all) {
      return !all.empty() && all.back().json()["payload"].value("status", "") == status;
    });
  };
  ASSERT_TRUE(status_is("healthy"));
  auto hb = bus_->heartbeats().messages().back().json();
  EXPECT_EQ(hb["type"], "heartbeat");
  EXPECT_EQ(hb["payload"]["consumers"][0]["name"], "fleet-a-galahad-security");
  EXPECT_EQ(hb["payload"]["gateway"], "up");

  redis::Client client(*redis::parse_redis_url(redis.url()), Logger());
  auto agents = client.hgetall("rt:fleet-a:agents");
  ASSERT_TRUE(agents);
  ASSERT_TRUE(agents->count("galahad"));
  EXPECT_EQ(json::parse((*agents)["galahad"])["domains"][0], "security");
  auto alive = client.get("rt:fleet-a:alive:galahad");
  ASSERT_TRUE(alive && alive->has_value());

  auto before = bus_->publish_task("security.scan");
  ASSERT_TRUE(bus_->wait_result(before.id));
  // The done marker follows the stored result (the result is published first).
  EXPECT_TRUE(eventually([&] {
    auto marker = client.get("rt:fleet-a:dedup:" + before.id);
    return marker && marker->has_value() && **marker == "done";
  }));

  redis.stop();
  ASSERT_TRUE(status_is("degraded"));
  auto during = bus_->publish_task("security.scan");
  EXPECT_TRUE(bus_->wait_result(during.id));
  EXPECT_EQ(bus_->stored_results(during.id), 1u);
}

TEST_F(BridgeFaults, DoneMarkerInRedisSkipsADuplicateTask) {
  RedisServer redis;
  start_bridge({{"REDIS_URL", redis.url()}});
  redis::Client client(*redis::parse_redis_url(redis.url()), Logger());
  auto first = bus_->publish_task("security.scan");
  ASSERT_TRUE(bus_->wait_result(first.id));
  // The same task id again, past JetStream's duplicate window (a new msg id gets it in).
  bus_->publish_raw("fleet-a.tasks.security.scan", contract::serialize(first), "again-" + first.id);
  auto next = bus_->publish_task("security.scan");
  ASSERT_TRUE(bus_->wait_result(next.id));
  EXPECT_EQ(gateway_->call_count(), 2u);
  EXPECT_EQ(bus_->stored_results(first.id), 1u);
}

// Redis full under maxmemory with noeviction (deploy/base/redis) answers writes with an error while
// it is up: the markers are lost, the tasks are still answered once (JetStream de-duplicates the
// results), and the bridge says why in its log instead of degrading in silence.
TEST_F(BridgeFaults, RedisRefusingWritesIsLoggedAndTasksStillCompleteOnce) {
  RedisServer redis;
  auto& bridge = start_bridge({{"REDIS_URL", redis.url()}});
  redis::Client client(*redis::parse_redis_url(redis.url()), Logger());
  ASSERT_TRUE(client.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}));
  ASSERT_TRUE(client.command({"CONFIG", "SET", "maxmemory", "1"}));
  auto task = bus_->publish_task("security.scan");
  ASSERT_TRUE(bus_->wait_result(task.id)) << bridge.output();
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
  EXPECT_TRUE(eventually([&] { return bridge.output().find("dedup.redis_refused") != std::string::npos; })) << bridge.output();
  EXPECT_NE(bridge.output().find("OOM"), std::string::npos) << bridge.output();
  auto marker = client.get("rt:fleet-a:dedup:" + task.id);
  ASSERT_TRUE(marker);
  EXPECT_FALSE(marker->has_value());
}

TEST_F(BridgeFaults, GatewayOutageMakesTasksWaitNotFail) {
  gateway_->stop();
  auto& bridge = start_bridge({{"BACKOFF", "200ms"}, {"MAX_DELIVER", "1000"}}, false);
  ASSERT_TRUE(eventually([&] { return bridge.get("/readyz").first == 503; }));
  EXPECT_NE(bridge.get("/readyz").second.find("\"gateway\":false"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return bridge.get("/readyz").second.find("\"intake\":\"paused\"") != std::string::npos; }));
  auto task = bus_->publish_task("security.briefing");
  gateway_->start();
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1) << "the outage spent no attempt";
  EXPECT_TRUE(bus_->events_for(task.id, "task.retrying").empty());
  EXPECT_TRUE(bridge.wait_ready());
}

TEST_F(BridgeFaults, SigtermFinishesInFlightWorkHandsBackTheRestAndExitsZero) {
  Gate release;
  gateway_->set_handler([&](const GatewayCall& call) {
    if (call.json["payload"]["params"].value("hold", false)) release.wait();
    return completed_reply("ok");
  });
  auto& bridge = start_bridge({{"MAX_CONCURRENCY", "1"}});
  auto held = bus_->publish_task("security.scan", {{"hold", true}});
  ASSERT_TRUE(gateway_->wait_for_started(1));
  auto queued = bus_->publish_task("security.scan", {{"hold", false}});
  ASSERT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 2;
  }));
  bridge.process().signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return bridge.output().find("bridge.stopping") != std::string::npos; }));
  release.open();
  auto code = bridge.process().wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << bridge.output();
  EXPECT_TRUE(bus_->wait_result(held.id)) << "in-flight work is finished before exit";
  EXPECT_TRUE(bus_->events().wait_until([&](auto&) { return !bus_->events().of_type("knight.offline").empty(); }));
  EXPECT_EQ(gateway_->call_count(), 1u) << "the queued task was handed back, not started";
  start_bridge();
  auto result = bus_->wait_result(queued.id);
  ASSERT_TRUE(result);
  // Its second delivery, counted once: handed back while the dropped inbox's request was still
  // open, nats-server 2.9 counted it into that request too (attempt 3; with MAX_DELIVER 2, dead).
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 2);
  EXPECT_EQ(bus_->stored_results(held.id), 1u);
  EXPECT_EQ(bus_->stored_results(queued.id), 1u);
}

TEST_F(BridgeFaults, SigtermAfterGraceHandsBackUnfinishedWork) {
  Gate release;
  gateway_->set_handler([&](const GatewayCall&) {
    release.wait();
    return completed_reply("too late");
  });
  auto& bridge = start_bridge({{"SHUTDOWN_GRACE", "500ms"}});
  auto task = bus_->publish_task("security.scan");
  ASSERT_TRUE(gateway_->wait_for_started(1));
  bridge.process().signal(SIGTERM);
  auto code = bridge.process().wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  gateway_->set_handler([](const GatewayCall&) { return completed_reply("second bridge"); });
  release.open();
  start_bridge();
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["content"], "second bridge");
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

TEST_F(BridgeFaults, LongTaskIsKeptAliveAndNeverRedelivered) {
  gateway_->set_handler([](const GatewayCall&) {
    std::this_thread::sleep_for(std::chrono::seconds(3));  // the scenario: 3x ACK_WAIT of work
    return completed_reply("slow but sure");
  });
  start_bridge({{"ACK_WAIT", "1s"}});
  auto task = bus_->publish_task("security.audit");
  auto result = bus_->wait_result(task.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1);
  EXPECT_EQ(gateway_->call_count(), 1u);
  auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->redelivered, 0u);
  EXPECT_EQ(bus_->stored_results(task.id), 1u);
}

// With every worker busy nobody reads the pull request's inbox: tasks waiting there are read by
// the keeper and kept alive like the ones queued, never redelivered for their ack wait.
TEST_F(BridgeFaults, TasksWaitingBehindABusyWorkerAreKeptAlive) {
  gateway_->set_handler([](const GatewayCall& call) {
    bool first = call.json["payload"]["params"].value("n", -1) == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(first ? 3000 : 100));  // the scenario: 3x ACK_WAIT of work
    return completed_reply("one after the other");
  });
  // Room for more than the three: the request stays open, where the server would send each
  // task again once its ack wait ran out.
  auto& bridge = start_bridge({{"ACK_WAIT", "1s"}, {"MAX_CONCURRENCY", "1"}, {"PRIORITY_LOOKAHEAD", "4"}});
  std::vector<contract::Envelope> tasks{bus_->publish_task("security.audit", {{"n", 0}})};
  ASSERT_TRUE(gateway_->wait_for_started(1));  // the only worker is busy from here on
  for (int i = 1; i < 3; ++i) tasks.push_back(bus_->publish_task("security.audit", {{"n", i}}));
  for (const auto& task : tasks) {
    auto result = bus_->wait_result(task.id);
    ASSERT_TRUE(result);
    EXPECT_EQ((*result)["payload"]["result"]["metadata"]["attempt"], 1);
  }
  EXPECT_EQ(gateway_->call_count(), 3u);
  auto metrics = bridge.get("/metrics").second;
  EXPECT_NE(metrics.find("roundtable_bridge_redeliveries_total 0"), std::string::npos) << "a waiting task was delivered again";
}

TEST_F(BridgeFaults, TwoBridgesShareOneConsumerAndAnswerEachTaskOnce) {
  auto& a = start_bridge({{"MAX_CONCURRENCY", "4"}});
  auto& b = start_bridge({{"MAX_CONCURRENCY", "4"}});
  std::vector<contract::Envelope> tasks;
  for (int i = 0; i < 200; ++i) tasks.push_back(bus_->publish_task("security.scan", {{"n", i}}));
  ASSERT_TRUE(all_answered(tasks));
  auto calls = gateway_->calls();
  EXPECT_EQ(calls.size(), 200u);
  std::set<std::string> ids;
  for (const auto& call : calls) ids.insert(call.task_id());
  EXPECT_EQ(ids.size(), 200u) << "every task reached the gateway exactly once";
  auto completed = [](BridgeProcess& bridge) {
    auto metrics = bridge.get("/metrics").second;
    auto at = metrics.find("roundtable_bridge_tasks_total{outcome=\"completed\"} ");
    return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + 51));
  };
  int done_a = 0, done_b = 0;
  EXPECT_TRUE(eventually([&] {  // counters move just after the result is stored
    done_a = completed(a), done_b = completed(b);
    return done_a + done_b == 200;
  })) << done_a << " + " << done_b;
  EXPECT_GT(done_a, 0);
  EXPECT_GT(done_b, 0);
}

}  // namespace
}  // namespace rt::testing
