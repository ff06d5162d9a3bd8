#pragma once
// Figure (g) of issue 15: 1, 2 and 4 replicas (one AGENT_ID, so one durable consumer; each its own
// HEALTH_PORT) at MAX_CONCURRENCY 2 with a gateway answering after 20 ms drain a backlog.
#include <string>
#include <vector>

#include "bench_context.hpp"

namespace rt::bench {

struct ScaleFigures {
  std::string label;
  std::vector<double> per_second;  // for 1, 2, 4 replicas
};

std::vector<ScaleFigures> measure_scale_out(BenchContext& ctx);
void add_scale_rows(BenchContext& ctx, const std::vector<ScaleFigures>& figures);

}  // namespace rt::bench
