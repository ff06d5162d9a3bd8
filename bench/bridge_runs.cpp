#include "bridge_runs.hpp"

#include <cstdio>

#include "bench_error.hpp"
#include "proc_sampler.hpp"

namespace rt::bench {
namespace {
constexpr std::chrono::seconds kResultTimeout{30};
}

Lead::Lead(const std::string& nats_url, const BridgeSpec& spec, const std::string& domain, size_t input_bytes)
    : client_(nats_url, "bench-lead-" + domain),
      tasks_(domain, input_bytes),
      results_(client_, tasks_.results_subject()),
      expect_completed_(spec.expect_completed),
      label_(spec.label) {}

void Lead::publish() {
  tasks_.next();
  client_.publish_acked(tasks_.subject(), tasks_.bytes(), tasks_.id());
}

void Lead::check_first(const std::string& payload) {
  checked_ = true;
  if (payload.find("\"completed\"") != std::string::npos) return;
  std::string problem = label_ + ": the first result on " + tasks_.results_subject() + " is not a completed one: " + payload.substr(0, 400);
  if (expect_completed_) throw BenchError(problem);
  std::fprintf(stderr, "warning: %s\n", problem.c_str());
}

void Lead::await_last_result() {
  if (!results_.next(kResultTimeout, tasks_.id(), checked_ ? nullptr : &payload_))
    throw BenchError("no result for task " + tasks_.id() + " within 30 s on " + tasks_.results_subject());
  if (!checked_) check_first(payload_);
}

void Lead::await_results(int n) {
  for (int i = 0; i < n; ++i) {
    if (!results_.next(kResultTimeout, {}, checked_ ? nullptr : &payload_))
      throw BenchError("only " + std::to_string(i) + " of " + std::to_string(n) + " results within 30 s each on " + tasks_.results_subject());
    if (!checked_) check_first(payload_);
  }
}

RunResult run_one_at_a_time(BridgeInstance& bridge, Lead& lead, int n, pid_t server_pid) {
  std::vector<int64_t> samples(static_cast<size_t>(n));
  CpuWindow server(server_pid), cpu(bridge.pid());
  SwitchWindow switches(bridge.pid());
  auto start = Steady::now();
  for (int i = 0; i < n; ++i) {
    auto t0 = Steady::now();
    lead.publish();
    lead.await_last_result();
    samples[static_cast<size_t>(i)] = ns_between(t0, Steady::now());
  }
  RunResult r;
  r.seconds = seconds_between(start, Steady::now());
  r.cpu_ns = cpu.elapsed();
  r.switches = switches.elapsed();
  r.server_cpu_ns = server.elapsed();
  r.tasks = n;
  r.p50_us = median(std::move(samples)) / 1000.0;
  bridge.tasks_done += n;
  return r;
}

RunResult run_backlog(const std::vector<BridgeInstance*>& bridges, Lead& lead, int n, pid_t server_pid) {
  for (auto* b : bridges) b->pause();
  try {
    for (int i = 0; i < n; ++i) lead.publish();
  } catch (...) {
    for (auto* b : bridges) b->resume();
    throw;
  }
  std::vector<CpuWindow> cpu;
  std::vector<SwitchWindow> switches;
  for (auto* b : bridges) cpu.emplace_back(b->pid()), switches.emplace_back(b->pid());
  CpuWindow server(server_pid);
  auto start = Steady::now();
  for (auto* b : bridges) b->resume();
  lead.await_results(n);
  RunResult r;
  r.seconds = seconds_between(start, Steady::now());
  for (const auto& window : cpu) r.cpu_ns += window.elapsed();
  for (const auto& window : switches) r.switches += window.elapsed();
  r.server_cpu_ns = server.elapsed();
  r.tasks = n;
  for (auto* b : bridges) b->tasks_done += n / static_cast<long>(bridges.size());
  return r;
}

}  // namespace rt::bench
