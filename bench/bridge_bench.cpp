// nats-bridge throughput and memory against the floor of a bare nats.c JetStream loop.
//
// floor:  publish task (acked) -> fetch -> publish result (acked) -> ack, in this process.
// bridge: publish task (acked) -> nats-bridge -> POST to a keep-alive gateway on loopback ->
//         result on the results subject, observed by this process.
// Both run one task at a time (latency-bound) and as a backlog of N tasks (throughput-bound).
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <condition_variable>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/subjects.hpp"

using namespace rt;
using namespace rt::testing;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

std::string task_bytes(const std::string& task) {
  contract::TaskRequest request;
  request.task = task;
  auto env = contract::make_envelope("task.request", "bench", contract::to_json(request), std::chrono::system_clock::now());
  env.fleet = "fleet-a";
  return contract::serialize(env);
}

// Counts results as they arrive on a core subscription.
class ResultCounter {
 public:
  ResultCounter(nats::Connection& connection, const std::string& subject) {
    auto sub = connection.subscribe(subject, [this](nats::Message) {
      std::lock_guard lock(mutex_);
      ++count_;
      cv_.notify_all();
    });
    subscription_ = std::move(*sub);
    connection.flush(std::chrono::seconds(5));
  }
  bool wait_for(size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(120), [&] { return count_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  size_t count_ = 0;
  nats::Subscription subscription_;
};

// The floor: the same JetStream work with no bridge, no HTTP.
double bare_loop(const std::string& url, int tasks, bool backlog) {
  Bus bus(url);
  auto& js = bus.js();
  nats::ConsumerSpec spec{"ROUNDTABLE_TASKS", "fleet-a-floor-bench", "fleet-a.tasks.bench.>"};
  auto sub = js.bind_pull(spec);
  if (!sub) throw std::runtime_error(sub.error().message);
  std::string body = task_bytes("bench.run");
  std::string result(400, 'r');
  static int published = 0;
  auto start = Steady::now();
  auto process = [&](nats::Message& msg) {
    auto id = std::to_string(msg.delivery()->stream_sequence);
    js.publish("fleet-a.results.bench." + id, result, "result-" + id);
    msg.ack();
  };
  if (backlog) {
    for (int i = 0; i < tasks; ++i) js.publish("fleet-a.tasks.bench.run", body, std::to_string(++published));
    int done = 0;
    while (done < tasks) {
      auto batch = sub->fetch(8, std::chrono::seconds(5));
      for (auto& msg : *batch) process(msg), ++done;
    }
  } else {
    for (int i = 0; i < tasks; ++i) {
      js.publish("fleet-a.tasks.bench.run", body, std::to_string(++published));
      auto batch = sub->fetch(1, std::chrono::seconds(5));
      for (auto& msg : *batch) process(msg);
    }
  }
  return tasks / seconds_since(start);
}

long rss_kib(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = argc > 1 ? std::atoi(argv[1]) : 2000;
  NatsServer nats;
  FakeGateway gateway;
  std::string content(400, 'c');
  gateway.set_handler([&](const GatewayCall&) { return completed_reply(content); });

  double floor_seq = bare_loop(nats.url(), tasks, false);
  double floor_backlog = bare_loop(nats.url(), tasks, true);

  BridgeProcess bridge(nats.url(), gateway.url(),
                       {{"MAX_CONCURRENCY", "8"}, {"LOG_LEVEL", "warn"}, {"HEARTBEAT_INTERVAL", "30s"}, {"ACK_WAIT", "30s"}});
  bridge.start();
  if (!bridge.wait_ready()) {
    std::cerr << "bridge not ready\n" << bridge.output();
    return 1;
  }
  Bus bus(nats.url());
  ResultCounter results(bus.connection(), "fleet-a.results.security.>");
  std::string body;
  auto publish = [&] {
    auto env = contract::make_envelope("task.request", "bench", contract::to_json(contract::TaskRequest{"security.scan", {}, "markdown", {}}),
                                       std::chrono::system_clock::now());
    bus.js().publish("fleet-a.tasks.security.scan", contract::serialize(env), env.id);
  };
  auto start = Steady::now();
  for (int i = 0; i < tasks; ++i) {
    publish();
    results.wait_for(static_cast<size_t>(i + 1));
  }
  double bridge_seq = tasks / seconds_since(start);
  start = Steady::now();
  for (int i = 0; i < tasks; ++i) publish();
  results.wait_for(static_cast<size_t>(2 * tasks));
  double bridge_backlog = tasks / seconds_since(start);
  long rss = rss_kib(bridge.process().pid(), "VmRSS:");
  long hwm = rss_kib(bridge.process().pid(), "VmHWM:");

  std::printf("tasks per run: %d\n", tasks);
  std::printf("one at a time : floor %8.0f tasks/s  bridge %8.0f tasks/s  ratio %.2f\n", floor_seq, bridge_seq, bridge_seq / floor_seq);
  std::printf("backlog       : floor %8.0f tasks/s  bridge %8.0f tasks/s  ratio %.2f\n", floor_backlog, bridge_backlog,
              bridge_backlog / floor_backlog);
  std::printf("bridge memory : rss %.1f MiB, peak %.1f MiB (budget 8 MiB)\n", rss / 1024.0, hwm / 1024.0);
  return 0;
}
