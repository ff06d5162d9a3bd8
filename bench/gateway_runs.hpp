#pragma once
// Figure (h) of issue 15: the real knight-gateway on a copy of tests/fixtures/workspaces/basic,
// its LLM the instant server speaking OpenAI chat completions. Ready time (exec -> /readyz 200,
// /health when it has no /readyz), idle memory, and POST /webhook tasks one at a time on a
// keep-alive connection against the same round trip to the instant server (the floor).
#include <vector>

#include "bench_context.hpp"
#include "proc_sampler.hpp"

namespace rt::bench {

struct GatewayFigures {
  std::vector<double> ready_ms;
  Memory idle, after;
  long requests = 0;
  int64_t cpu_ns = 0;
  std::vector<double> p50_us, per_second, floor_p50_us, floor_per_second;
};

GatewayFigures measure_gateway(BenchContext& ctx);
void add_gateway_rows(BenchContext& ctx, const GatewayFigures& f);

}  // namespace rt::bench
