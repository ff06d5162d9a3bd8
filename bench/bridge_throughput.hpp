#pragma once
// Figures (a)-(c) and (e) of issue 15: one task in flight and a backlog, against the nats.c
// floor in interleaved rounds; CPU per task of the bridge and of nats-server; memory idle and
// after many tasks. One long-lived instance per bridge under test.
#include <string>
#include <vector>

#include "bench_context.hpp"
#include "proc_sampler.hpp"
#include "run_result.hpp"

namespace rt::bench {

struct SubjectFigures {
  std::string label;
  RoundTotals one_at_a_time, backlog;
  Memory idle, after_first, after_all;
  long first_count = 0, all_count = 0;
};

struct ThroughputFigures {
  RoundTotals floor_one, floor_backlog;
  RoundTotals floor_one_with_lead;  // only its nats-server CPU is reported
  std::vector<double> rtt_p50_us, rtt_per_second;
  std::vector<SubjectFigures> subjects;
  double rtt_p50() const { return median(rtt_p50_us); }
};

ThroughputFigures measure_throughput(BenchContext& ctx);
void add_throughput_rows(BenchContext& ctx, const ThroughputFigures& f);
// Idle RSS against the other bridge's, or the Go bridge's from issue 15 when there is none.
void add_memory_rows(BenchContext& ctx, const ThroughputFigures& f);

}  // namespace rt::bench
