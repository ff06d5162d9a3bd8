#pragma once
// What one measured run gives, and the same run over interleaved rounds.
#include <cstdint>
#include <vector>

#include "stats.hpp"

namespace rt::bench {

struct RunResult {
  int tasks = 0;
  double seconds = 0;
  double p50_us = 0;            // one task in flight: publish start -> result
  int64_t cpu_ns = 0;           // the subject's CPU over the run (floor: the driver; bridge: its pid)
  int64_t server_cpu_ns = 0;    // nats-server's CPU over the run
  int64_t publish_cpu_ns = 0;   // floor backlog: the driver's CPU publishing the tasks (not timed)
  int64_t switches = 0;         // the subject's context switches over the run, as its CPU

  double per_second() const { return seconds > 0 ? tasks / seconds : 0; }
  double cpu_us_per_task() const { return tasks ? cpu_ns / 1000.0 / tasks : 0; }
  double server_cpu_us_per_task() const { return tasks ? server_cpu_ns / 1000.0 / tasks : 0; }
  double publish_cpu_us_per_task() const { return tasks ? publish_cpu_ns / 1000.0 / tasks : 0; }
  double p50_us_value() const { return p50_us; }
};

using Metric = double (RunResult::*)() const;

// Rounds of the same run. Throughput and latency are medians over rounds; compared with another
// run of the same rounds, the ratio is the median of the per-round ratios: each round's two runs
// are seconds apart, so a neighbour's load that comes and goes moves both alike. CPU per task is
// a total over all rounds: /proc counts in 10 ms ticks, a few ticks per round.
class RoundTotals {
 public:
  void add(const RunResult& r) { rounds_.push_back(r); }
  bool empty() const { return rounds_.empty(); }
  double median_of(Metric metric) const {
    std::vector<double> values;
    for (const auto& r : rounds_) values.push_back((r.*metric)());
    return median(values);
  }
  double per_second() const { return median_of(&RunResult::per_second); }
  double p50_us() const { return median_of(&RunResult::p50_us_value); }
  double cpu_us_per_task() const { return total_per_task(&RunResult::cpu_ns); }
  double server_cpu_us_per_task() const { return total_per_task(&RunResult::server_cpu_ns); }
  double publish_cpu_us_per_task() const { return total_per_task(&RunResult::publish_cpu_ns); }
  double switches_per_task() const { return total_per_task(&RunResult::switches) * 1000.0; }
  double total_per_task(int64_t RunResult::*ns) const {
    int64_t sum = 0;
    long tasks = 0;
    for (const auto& r : rounds_) sum += r.*ns, tasks += r.tasks;
    return tasks ? static_cast<double>(sum) / 1000.0 / static_cast<double>(tasks) : 0;
  }
  // Median over rounds of this run's metric / the other's, round by round.
  double median_ratio(const RoundTotals& other, Metric metric) const {
    std::vector<double> ratios;
    for (size_t i = 0; i < rounds_.size() && i < other.rounds_.size(); ++i) {
      double reference = (other.rounds_[i].*metric)();
      if (reference > 0) ratios.push_back((rounds_[i].*metric)() / reference);
    }
    return median(ratios);
  }

 private:
  std::vector<RunResult> rounds_;
};

}  // namespace rt::bench
