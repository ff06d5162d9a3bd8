#pragma once
// What one measured run gives, and its sum over interleaved rounds.
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
  double per_second() const { return seconds > 0 ? tasks / seconds : 0; }
};

// Rounds of the same run: throughput and p50 as medians over rounds, CPU per task as totals
// (clock-tick resolution of /proc needs the sum).
class RoundTotals {
 public:
  void add(const RunResult& r) {
    per_second_.push_back(r.per_second());
    p50_us_.push_back(r.p50_us);
    tasks_ += r.tasks;
    cpu_ns_ += r.cpu_ns;
    server_cpu_ns_ += r.server_cpu_ns;
    publish_cpu_ns_ += r.publish_cpu_ns;
  }
  bool empty() const { return tasks_ == 0; }
  double per_second() const { return median(per_second_); }
  double p50_us() const { return median(p50_us_); }
  double cpu_us_per_task() const { return tasks_ ? cpu_ns_ / 1000.0 / tasks_ : 0; }
  double server_cpu_us_per_task() const { return tasks_ ? server_cpu_ns_ / 1000.0 / tasks_ : 0; }
  double publish_cpu_us_per_task() const { return tasks_ ? publish_cpu_ns_ / 1000.0 / tasks_ : 0; }

 private:
  std::vector<double> per_second_, p50_us_;
  long tasks_ = 0;
  int64_t cpu_ns_ = 0, server_cpu_ns_ = 0, publish_cpu_ns_ = 0;
};

}  // namespace rt::bench
