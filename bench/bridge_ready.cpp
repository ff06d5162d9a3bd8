#include "bridge_ready.hpp"

#include <thread>

#include "bridge_instance.hpp"

namespace rt::bench {
namespace {

// Issue 15's Go nats-bridge ready times, measured elsewhere: the reference without --other-bridge-cmd.
constexpr double kGoColdMs = 35;
constexpr double kGoWarmMs = 19;
constexpr auto kSettle = std::chrono::milliseconds(300);

double start_once(const BridgeSpec& spec, const BridgeSite& site) {
  BridgeInstance bridge(spec, site);
  double ms = std::chrono::duration<double, std::milli>(bridge.start_and_wait_ready()).count();
  bridge.stop();
  return ms;
}

BridgeSite site_for(const BridgeSpec& spec, const std::string& nats_url, const std::string& gateway_url) {
  return BridgeSite{nats_url, gateway_url, 8, spec.domain, spec.agent};
}

}  // namespace

ReadyFigures measure_ready(BenchContext& ctx) {
  const auto& c = ctx.counts();
  ReadyFigures f;
  f.cold_ms.resize(ctx.subjects.size());
  f.warm_ms.resize(ctx.subjects.size());
  ctx.progress.say("ready: " + std::to_string(c.warm_starts) + " warm starts per bridge");
  for (const auto* spec : ctx.subjects) start_once(*spec, site_for(*spec, ctx.nats.url(), ctx.gateway.url()));
  for (int i = 0; i < c.warm_starts; ++i)
    for (size_t s = 0; s < ctx.subjects.size(); ++s) {
      std::this_thread::sleep_for(kSettle);
      f.warm_ms[s].push_back(start_once(*ctx.subjects[s], site_for(*ctx.subjects[s], ctx.nats.url(), ctx.gateway.url())));
    }
  ctx.progress.say("ready: " + std::to_string(c.cold_starts) + " cold starts per bridge, each on a fresh nats-server");
  for (int i = 0; i < c.cold_starts; ++i)
    for (size_t s = 0; s < ctx.subjects.size(); ++s) {
      NatsServerProcess fresh;
      std::this_thread::sleep_for(kSettle);
      f.cold_ms[s].push_back(start_once(*ctx.subjects[s], site_for(*ctx.subjects[s], fresh.url(), ctx.gateway.url())));
    }
  return f;
}

void add_ready_rows(BenchContext& ctx, const ReadyFigures& f) {
  auto& report = ctx.report;
  auto name = [&](size_t s, const char* kind, size_t n) {
    return ctx.subjects[s]->label + " ready " + kind + " (median of " + std::to_string(n) + ")";
  };
  for (size_t s = 0; s < ctx.subjects.size(); ++s) {
    double cold = median(f.cold_ms[s]), warm = median(f.warm_ms[s]);
    if (s > 0) {
      report.add(plain(name(s, "cold", f.cold_ms[s].size()), cold, "ms"));
      report.add(plain(name(s, "warm", f.warm_ms[s].size()), warm, "ms"));
    } else if (ctx.other()) {
      report.add(compared(name(s, "cold", f.cold_ms[s].size()), cold, "ms", median(f.cold_ms[1]), ctx.other()->label + ", this run",
                          {Goal::value_at_most, 30, ""}));
      report.add(compared(name(s, "warm", f.warm_ms[s].size()), warm, "ms", median(f.warm_ms[1]), ctx.other()->label + ", this run",
                          {Goal::value_at_most, 15, ""}));
    } else {
      report.add(compared(name(s, "cold", f.cold_ms[s].size()), cold, "ms", kGoColdMs, "Go bridge, issue 15, measured elsewhere",
                          {Goal::value_at_most, 30, ""}));
      report.add(compared(name(s, "warm", f.warm_ms[s].size()), warm, "ms", kGoWarmMs, "Go bridge, issue 15, measured elsewhere",
                          {Goal::value_at_most, 15, ""}));
    }
  }
}

}  // namespace rt::bench
