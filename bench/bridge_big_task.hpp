#pragma once
// Figure (f) of issue 15: tasks whose params.input is a 512 KiB string. The bridge's CPU per such
// task (one at a time) against the driver parsing the same bytes once with nlohmann::json; its
// RSS and VmHWM increase while 8 are held in flight at once (the gateway holds its answers)
// against 8 x the raw bytes, from a baseline taken after small tasks at full concurrency. A fresh
// instance per bridge.
#include <cstdint>
#include <string>
#include <vector>

#include "bench_context.hpp"
#include "proc_sampler.hpp"

namespace rt::bench {

inline constexpr size_t kBigInputBytes = 512 * 1024;

struct BigTaskFigures {
  std::string label;
  double cpu_ms_per_task = 0;
  Memory before, held, after;
};

struct BigTaskRun {
  size_t raw_bytes = 0;    // one task's bytes on the wire
  double parse_ms = 0;     // median time to parse them once
  std::vector<BigTaskFigures> subjects;
};

BigTaskRun measure_big_tasks(BenchContext& ctx);
void add_big_task_rows(BenchContext& ctx, const BigTaskRun& run);

}  // namespace rt::bench
