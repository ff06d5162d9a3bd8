#pragma once
// Figure (d) of issue 15: exec -> GET /readyz 200. Warm: against the run's nats-server, where the
// streams and the bridge's consumer exist (one unmeasured start first makes sure). Cold: each
// start against a fresh nats-server (new store), where neither exists. Medians per bridge,
// interleaved between bridges.
#include <vector>

#include "bench_context.hpp"

namespace rt::bench {

struct ReadyFigures {
  std::vector<std::vector<double>> cold_ms, warm_ms;  // per bridge under test
};

ReadyFigures measure_ready(BenchContext& ctx);
void add_ready_rows(BenchContext& ctx, const ReadyFigures& f);

}  // namespace rt::bench
