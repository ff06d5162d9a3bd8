#include "bridge_scale.hpp"

#include <memory>

#include "bridge_runs.hpp"

namespace rt::bench {
namespace {

constexpr int kReplicaCounts[] = {1, 2, 4};
constexpr int kConcurrencyPerReplica = 2;
constexpr auto kGatewayDelay = std::chrono::milliseconds(20);

double drain_with(BenchContext& ctx, const BridgeSpec& spec, int replicas) {
  BridgeSite site{ctx.nats.url(), ctx.gateway.url(), kConcurrencyPerReplica, spec.domain + "scale", spec.agent + "-scale"};
  std::vector<std::unique_ptr<BridgeInstance>> fleet;
  std::vector<BridgeInstance*> bridges;
  for (int i = 0; i < replicas; ++i) {
    fleet.push_back(std::make_unique<BridgeInstance>(spec, site));
    fleet.back()->start_and_wait_ready();
    bridges.push_back(fleet.back().get());
  }
  Lead lead(ctx.nats.url(), spec, site.domain);
  double per_second = run_backlog(bridges, lead, ctx.counts().scale_backlog, ctx.nats.pid()).per_second();
  for (auto* b : bridges) b->terminate();
  return per_second;
}

}  // namespace

std::vector<ScaleFigures> measure_scale_out(BenchContext& ctx) {
  std::vector<ScaleFigures> figures;
  for (const auto* spec : ctx.subjects) figures.push_back({spec->label, {}});
  ctx.gateway.set_delay(kGatewayDelay);
  for (int replicas : kReplicaCounts)
    for (size_t s = 0; s < ctx.subjects.size(); ++s) {
      ctx.progress.say("scale-out: " + ctx.subjects[s]->label + " x " + std::to_string(replicas) + ", backlog " +
                       std::to_string(ctx.counts().scale_backlog) + ", 20 ms gateway");
      figures[s].per_second.push_back(drain_with(ctx, *ctx.subjects[s], replicas));
    }
  ctx.gateway.set_delay(std::chrono::microseconds(0));
  return figures;
}

void add_scale_rows(BenchContext& ctx, const std::vector<ScaleFigures>& figures) {
  for (size_t s = 0; s < figures.size(); ++s) {
    const auto& f = figures[s];
    bool ours = s == 0;
    std::string name = f.label + " scale-out";
    ctx.report.add(plain(name + " 1 replica (MC 2, 20 ms gateway)", f.per_second[0], "tasks/s"));
    ctx.report.add(compared(name + " 2 replicas", f.per_second[1], "tasks/s", f.per_second[0], "1 replica",
                            ours ? Goal{Goal::ratio_at_least, 1.9, ""} : Goal{}));
    ctx.report.add(compared(name + " 4 replicas", f.per_second[2], "tasks/s", f.per_second[0], "1 replica",
                            ours ? Goal{Goal::ratio_at_least, 3.6, ""} : Goal{}));
  }
}

}  // namespace rt::bench
