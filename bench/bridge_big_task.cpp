#include "bridge_big_task.hpp"

#include <thread>

#include <nlohmann/json.hpp>

#include "bench_error.hpp"
#include "bridge_runs.hpp"

namespace rt::bench {
namespace {

constexpr double kSmallConstantMib = 2;  // "raw bytes plus a small constant"
constexpr int kWarmTasks = 200;

double parse_once_ms(const std::string& bytes, int times) {
  std::vector<int64_t> samples;
  for (int i = 0; i < times; ++i) {
    auto t0 = Steady::now();
    auto doc = nlohmann::json::parse(bytes);
    samples.push_back(ns_between(t0, Steady::now()));
    if (!doc.is_object()) throw BenchError("the large task does not parse");
  }
  return median(samples) / 1e6;
}

void wait_held(InstantGateway& gateway, int n) {
  auto deadline = Steady::now() + std::chrono::seconds(30);
  while (gateway.in_flight() < n) {
    if (Steady::now() > deadline) throw BenchError("the bridge did not hold " + std::to_string(n) + " large tasks at once within 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

BigTaskFigures measure_one(BenchContext& ctx, const BridgeSpec& spec) {
  const auto& c = ctx.counts();
  BigTaskFigures f{spec.label, 0, {}, {}, {}};
  BridgeInstance bridge(spec, BridgeSite{ctx.nats.url(), ctx.gateway.url(), 8, spec.domain, spec.agent});
  bridge.start_and_wait_ready();
  {
    // Small tasks at full concurrency first: the baseline then holds the bridge's threads and
    // connections, and the increase is what the large payloads cost.
    Lead small(ctx.nats.url(), spec, spec.domain);
    run_backlog({&bridge}, small, kWarmTasks, ctx.nats.pid());
  }
  Lead lead(ctx.nats.url(), spec, spec.domain, kBigInputBytes);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  f.before = memory_of(bridge.pid());

  ctx.gateway.hold();
  try {
    for (int i = 0; i < c.big_held; ++i) lead.publish();
    wait_held(ctx.gateway, c.big_held);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    f.held = memory_of(bridge.pid());
  } catch (const BenchError& error) {
    ctx.gateway.release();
    throw BenchError(std::string(error.what()) + " (" + std::to_string(ctx.gateway.in_flight()) + " held at the gateway); the end of " +
                     bridge.label() + "'s log:\n" + bridge.log_tail(4000));
  } catch (...) {
    ctx.gateway.release();
    throw;
  }
  ctx.gateway.release();
  lead.await_results(c.big_held);
  f.after = memory_of(bridge.pid());

  auto one = run_one_at_a_time(bridge, lead, c.big_one_at_a_time, ctx.nats.pid());
  f.cpu_ms_per_task = one.cpu_ns / 1e6 / one.tasks;
  return f;
}

}  // namespace

BigTaskRun measure_big_tasks(BenchContext& ctx) {
  BigTaskRun run;
  TaskFactory big("sizing", kBigInputBytes);
  run.raw_bytes = big.bytes().size();
  for (const auto* spec : ctx.subjects) {
    ctx.progress.say("512 KiB tasks: " + spec->label);
    run.subjects.push_back(measure_one(ctx, *spec));
  }
  run.parse_ms = parse_once_ms(big.bytes(), ctx.counts().big_parses);
  return run;
}

void add_big_task_rows(BenchContext& ctx, const BigTaskRun& run) {
  int held = ctx.counts().big_held;
  double raw_mib = static_cast<double>(run.raw_bytes) * held / (1024.0 * 1024.0);
  std::string held_name = std::to_string(held) + " x 512 KiB held";
  for (size_t i = 0; i < run.subjects.size(); ++i) {
    const auto& s = run.subjects[i];
    bool ours = i == 0;
    Goal memory_goal = ours ? Goal{Goal::value_at_most, raw_mib + kSmallConstantMib, "raw + 2 MiB"} : Goal{};
    ctx.report.add(compared(s.label + " 512 KiB task CPU/task", s.cpu_ms_per_task, "ms", run.parse_ms, "one json::parse",
                            ours ? Goal{Goal::ratio_at_most, 2.0, ""} : Goal{}));
    ctx.report.add(compared(s.label + " " + held_name + ": RSS increase", mib(s.held.rss_kib - s.before.rss_kib), "MiB", raw_mib,
                            std::to_string(held) + " x raw bytes", memory_goal));
    ctx.report.add(compared(s.label + " " + held_name + ": VmHWM increase", mib(s.after.hwm_kib - s.before.rss_kib), "MiB", raw_mib,
                            std::to_string(held) + " x raw bytes", memory_goal));
  }
}

}  // namespace rt::bench
