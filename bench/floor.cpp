#include "floor.hpp"

#include "bench_error.hpp"
#include "proc_sampler.hpp"

namespace rt::bench {
namespace {
constexpr int64_t kFetchTimeoutMs = 5000;
constexpr size_t kResultBytes = 400;  // about a result envelope with a short answer
}  // namespace

Floor::Floor(const std::string& nats_url, pid_t server_pid)
    : client_(nats_url, "bench-floor"),
      lead_(nats_url, "bench-floor-lead"),
      tasks_("bench"),
      sub_(client_, std::string(kFleet) + ".tasks.bench.>", "fleet-a-floor-bench"),
      server_pid_(server_pid),
      result_(kResultBytes, 'r') {}

void Floor::publish_result_and_ack(natsMsg* task) {
  std::string id = std::to_string(++results_);
  client_.publish_acked(std::string(kFleet) + ".results.bench." + id, result_, "result-" + id);
  check(natsMsg_Ack(task, nullptr), "ack");
}

RunResult Floor::one_at_a_time(int n) { return run_one_at_a_time(n, nullptr); }

RunResult Floor::one_at_a_time_with_lead(int n) {
  CoreSubscription results(lead_, std::string(kFleet) + ".results.bench.>");
  return run_one_at_a_time(n, &results);
}

RunResult Floor::run_one_at_a_time(int n, CoreSubscription* lead) {
  samples_.assign(static_cast<size_t>(n), 0);
  CpuWindow server(server_pid_);
  int64_t cpu0 = self_cpu_ns(), switches0 = self_switches();
  auto start = Steady::now();
  for (int i = 0; i < n; ++i) {
    auto t0 = Steady::now();
    tasks_.next();
    client_.publish_acked(tasks_.subject(), tasks_.bytes(), tasks_.id());
    MessageList list;
    jsErrCode error = static_cast<jsErrCode>(0);
    check(natsSubscription_Fetch(list.get(), sub_.get(), 1, kFetchTimeoutMs, &error), "floor fetch");
    for (int m = 0; m < list.size(); ++m) publish_result_and_ack(list[m]);
    if (lead && !lead->next(std::chrono::milliseconds(kFetchTimeoutMs), "." + std::to_string(results_)))
      throw BenchError("the floor's lead did not hear result " + std::to_string(results_));
    samples_[static_cast<size_t>(i)] = ns_between(t0, Steady::now());
  }
  RunResult r;
  r.seconds = seconds_between(start, Steady::now());
  r.cpu_ns = self_cpu_ns() - cpu0;
  r.switches = self_switches() - switches0;
  r.server_cpu_ns = server.elapsed();
  r.tasks = n;
  r.p50_us = median(samples_) / 1000.0;
  return r;
}

RunResult Floor::backlog(int n, int batch) {
  int64_t publish0 = self_cpu_ns();
  for (int i = 0; i < n; ++i) {
    tasks_.next();
    client_.publish_acked(tasks_.subject(), tasks_.bytes(), tasks_.id());
  }
  int64_t cpu0 = self_cpu_ns(), switches0 = self_switches();
  CpuWindow server(server_pid_);
  auto start = Steady::now();
  int done = 0;
  while (done < n) {
    MessageList list;
    jsErrCode error = static_cast<jsErrCode>(0);
    check(natsSubscription_Fetch(list.get(), sub_.get(), batch, kFetchTimeoutMs, &error), "floor fetch");
    for (int m = 0; m < list.size(); ++m, ++done) publish_result_and_ack(list[m]);
  }
  RunResult r;
  r.seconds = seconds_between(start, Steady::now());
  r.cpu_ns = self_cpu_ns() - cpu0;
  r.switches = self_switches() - switches0;
  r.server_cpu_ns = server.elapsed();
  r.publish_cpu_ns = cpu0 - publish0;
  r.tasks = n;
  return r;
}

}  // namespace rt::bench
