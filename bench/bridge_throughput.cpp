#include "bridge_throughput.hpp"

#include <algorithm>
#include <memory>
#include <thread>

#include "bridge_runs.hpp"
#include "floor.hpp"
#include "http_probe.hpp"

namespace rt::bench {
namespace {

// Issue 15's Go nats-bridge idle RSS, measured elsewhere: the reference without --other-bridge-cmd.
constexpr double kGoIdleRssMib = 7.8;
constexpr double kP50SlackUs = 100;

struct Live {
  std::unique_ptr<BridgeInstance> bridge;
  std::unique_ptr<Lead> lead;
};

std::vector<Live> start_bridges(BenchContext& ctx) {
  std::vector<Live> live;
  for (const auto* spec : ctx.subjects) {
    BridgeSite site{ctx.nats.url(), ctx.gateway.url(), 8, spec->domain, spec->agent};
    Live l{std::make_unique<BridgeInstance>(*spec, site), std::make_unique<Lead>(ctx.nats.url(), *spec, spec->domain)};
    l.bridge->start_and_wait_ready();
    live.push_back(std::move(l));
  }
  return live;
}

void top_up(BenchContext& ctx, Live& l, long total) {
  while (l.bridge->tasks_done < total) {
    int n = static_cast<int>(std::min<long>(ctx.counts().backlog, total - l.bridge->tasks_done));
    run_backlog({l.bridge.get()}, *l.lead, n, ctx.nats.pid());
  }
}

}  // namespace

ThroughputFigures measure_throughput(BenchContext& ctx) {
  const auto& c = ctx.counts();
  ThroughputFigures f;
  Floor floor(ctx.nats.url(), ctx.nats.pid());
  auto live = start_bridges(ctx);
  for (const auto& l : live) f.subjects.push_back(SubjectFigures{l.bridge->label(), {}, {}, {}, {}, {}, 0, 0});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (size_t i = 0; i < live.size(); ++i) f.subjects[i].idle = memory_of(live[i].bridge->pid());

  ctx.progress.say("warm-up: floor, then " + std::to_string(c.memory_first) + " tasks per bridge (half one at a time, half a backlog)");
  floor.one_at_a_time(std::min(200, c.one_at_a_time));
  floor.one_at_a_time_with_lead(std::min(200, c.one_at_a_time));
  floor.backlog(std::min(200, c.backlog));
  for (size_t i = 0; i < live.size(); ++i) {
    // Both kinds of load before the first sample, so that the later one compares like with like.
    run_one_at_a_time(*live[i].bridge, *live[i].lead, c.memory_first / 2, ctx.nats.pid());
    run_backlog({live[i].bridge.get()}, *live[i].lead, c.memory_first - c.memory_first / 2, ctx.nats.pid());
    f.subjects[i].after_first = memory_of(live[i].bridge->pid());
    f.subjects[i].first_count = live[i].bridge->tasks_done;
  }
  KeepAlivePoster rtt(ctx.gateway.port(), "/webhook");
  TaskFactory rtt_tasks("rtt");
  rtt.run(rtt_tasks, 100);

  for (int round = 1; round <= c.rounds; ++round) {
    ctx.progress.say("round " + std::to_string(round) + "/" + std::to_string(c.rounds) + ": one in flight, HTTP round trip, backlog");
    // The floor goes first in odd rounds and last in even ones, so that neither side always
    // follows the other.
    bool floor_first = round % 2 == 1;
    auto floor_one = [&] {
      f.floor_one.add(floor.one_at_a_time(c.one_at_a_time));
      f.floor_one_with_lead.add(floor.one_at_a_time_with_lead(c.one_at_a_time));
    };
    auto floor_backlog = [&] { f.floor_backlog.add(floor.backlog(c.backlog)); };
    if (floor_first) floor_one();
    for (size_t i = 0; i < live.size(); ++i)
      f.subjects[i].one_at_a_time.add(run_one_at_a_time(*live[i].bridge, *live[i].lead, c.one_at_a_time, ctx.nats.pid()));
    if (!floor_first) floor_one();
    auto posted = rtt.run(rtt_tasks, c.rtt);
    f.rtt_p50_us.push_back(posted.p50_us);
    f.rtt_per_second.push_back(posted.per_second);
    if (floor_first) floor_backlog();
    for (size_t i = 0; i < live.size(); ++i)
      f.subjects[i].backlog.add(run_backlog({live[i].bridge.get()}, *live[i].lead, c.backlog, ctx.nats.pid()));
    if (!floor_first) floor_backlog();
  }

  ctx.progress.say("memory: each bridge up to " + std::to_string(c.memory_total) + " tasks");
  for (size_t i = 0; i < live.size(); ++i) {
    top_up(ctx, live[i], c.memory_total);
    f.subjects[i].after_all = memory_of(live[i].bridge->pid());
    f.subjects[i].all_count = live[i].bridge->tasks_done;
  }
  for (auto& l : live) l.bridge->terminate();
  return f;
}

void add_throughput_rows(BenchContext& ctx, const ThroughputFigures& f) {
  auto& report = ctx.report;
  auto row = [&](const std::string& name, const RoundTotals& mine, const RoundTotals& ref, Metric metric, const std::string& unit,
                 const std::string& ref_label, Goal goal = {}) {
    report.add(per_round(name, mine.median_of(metric), unit, ref.median_of(metric), ref_label, mine.median_ratio(ref, metric), goal));
  };
  auto cpu_row = [&](const std::string& name, double mine, double ref, const std::string& ref_label, Goal goal = {}) {
    report.add(compared(name, mine, "us", ref, ref_label, goal));
  };
  double rtt = f.rtt_p50();
  double p50_goal = f.floor_one.p50_us() + rtt + kP50SlackUs;
  std::string backlog = "backlog " + std::to_string(ctx.counts().backlog) + " @MC8";
  report.add(plain("loopback HTTP round trip p50 (keep-alive POST)", rtt, "us"));
  // The 1-in-flight floor publishes its own tasks, so its CPU holds a lead's part too.
  report.add(compared("floor: lead's task publish CPU/task (in the 1-in-flight floor)", f.floor_backlog.publish_cpu_us_per_task(), "us",
                      f.floor_one.cpu_us_per_task(), "1-in-flight floor CPU/task"));
  report.add(compared("floor with a lead: nats-server CPU/task, 1 in flight", f.floor_one_with_lead.server_cpu_us_per_task(), "us",
                      f.floor_one.server_cpu_us_per_task(), "floor"));
  for (size_t i = 0; i < f.subjects.size(); ++i) {
    const auto& s = f.subjects[i];
    bool ours = i == 0;
    auto goal = [&](Goal g) { return ours ? g : Goal{}; };
    row(s.label + " 1-in-flight throughput", s.one_at_a_time, f.floor_one, &RunResult::per_second, "tasks/s", "floor",
        goal({Goal::ratio_at_least, 0.8, ""}));
    row(s.label + " 1-in-flight p50", s.one_at_a_time, f.floor_one, &RunResult::p50_us_value, "us", "floor",
        goal({Goal::value_at_most, p50_goal, "floor + RTT + 100 us"}));
    row(s.label + " " + backlog + " throughput", s.backlog, f.floor_backlog, &RunResult::per_second, "tasks/s", "floor",
        goal({Goal::ratio_at_least, 0.95, ""}));
    cpu_row(s.label + " CPU/task, 1 in flight", s.one_at_a_time.cpu_us_per_task(), f.floor_one.cpu_us_per_task(), "floor",
            goal({Goal::ratio_at_most, 1.5, ""}));
    cpu_row(s.label + " CPU/task, backlog", s.backlog.cpu_us_per_task(), f.floor_backlog.cpu_us_per_task(), "floor",
            goal({Goal::ratio_at_most, 1.5, ""}));
    report.add(compared(s.label + " context switches/task, 1 in flight", s.one_at_a_time.switches_per_task(), "",
                        f.floor_one.switches_per_task(), "floor"));
    report.add(compared(s.label + " context switches/task, backlog", s.backlog.switches_per_task(), "", f.floor_backlog.switches_per_task(),
                        "floor"));
    cpu_row("nats-server CPU/task, " + s.label + " 1 in flight", s.one_at_a_time.server_cpu_us_per_task(),
            f.floor_one.server_cpu_us_per_task(), "floor", goal({Goal::ratio_at_most, 1.0, ""}));
    cpu_row("nats-server CPU/task, " + s.label + " backlog", s.backlog.server_cpu_us_per_task(), f.floor_backlog.server_cpu_us_per_task(),
            "floor", goal({Goal::ratio_at_most, 1.0, ""}));
    // The bench's lead hears each result on a subscription of its own, which the floor's loop,
    // being its own lead, does not need: the same floor with such a lead, for reference.
    cpu_row("nats-server CPU/task, " + s.label + " 1 in flight vs a floor with a lead", s.one_at_a_time.server_cpu_us_per_task(),
            f.floor_one_with_lead.server_cpu_us_per_task(), "floor with a lead");
  }
  if (f.subjects.size() < 2) return;
  const auto& a = f.subjects[0];
  const auto& b = f.subjects[1];
  std::string vs = a.label + " vs " + b.label + ": ";
  row(vs + "1-in-flight throughput", a.one_at_a_time, b.one_at_a_time, &RunResult::per_second, "tasks/s", b.label);
  row(vs + "1-in-flight p50", a.one_at_a_time, b.one_at_a_time, &RunResult::p50_us_value, "us", b.label);
  row(vs + backlog + " throughput", a.backlog, b.backlog, &RunResult::per_second, "tasks/s", b.label);
  cpu_row(vs + "CPU/task, 1 in flight", a.one_at_a_time.cpu_us_per_task(), b.one_at_a_time.cpu_us_per_task(), b.label);
  cpu_row(vs + "CPU/task, backlog", a.backlog.cpu_us_per_task(), b.backlog.cpu_us_per_task(), b.label);
}

void add_memory_rows(BenchContext& ctx, const ThroughputFigures& f) {
  auto& report = ctx.report;
  bool with_other = f.subjects.size() > 1;
  for (size_t i = 0; i < f.subjects.size(); ++i) {
    const auto& s = f.subjects[i];
    bool ours = i == 0;
    if (ours && with_other) {
      const auto& o = f.subjects[1];
      report.add(compared(s.label + " idle RSS", mib(s.idle.rss_kib), "MiB", mib(o.idle.rss_kib), o.label + ", this run",
                          {Goal::ratio_at_most, 1.0, ""}));
      report.add(compared(s.label + " idle RssAnon", mib(s.idle.anon_kib), "MiB", mib(o.idle.anon_kib), o.label + ", this run"));
      report.add(compared(s.label + " idle PSS", mib(s.idle.pss_kib), "MiB", mib(o.idle.pss_kib), o.label + ", this run"));
    } else if (ours) {
      report.add(compared(s.label + " idle RSS", mib(s.idle.rss_kib), "MiB", kGoIdleRssMib, "Go bridge, issue 15, measured elsewhere",
                          {Goal::ratio_at_most, 1.0, ""}));
      report.add(plain(s.label + " idle RssAnon", mib(s.idle.anon_kib), "MiB"));
      report.add(plain(s.label + " idle PSS", mib(s.idle.pss_kib), "MiB"));
    } else {
      report.add(plain(s.label + " idle RSS", mib(s.idle.rss_kib), "MiB"));
      report.add(plain(s.label + " idle RssAnon", mib(s.idle.anon_kib), "MiB"));
      report.add(plain(s.label + " idle PSS", mib(s.idle.pss_kib), "MiB"));
    }
    report.add(compared(s.label + " RSS after " + std::to_string(s.all_count) + " tasks", mib(s.after_all.rss_kib), "MiB",
                        mib(s.after_first.rss_kib), "after " + std::to_string(s.first_count),
                        ours ? Goal{Goal::ratio_at_most, 1.05, ""} : Goal{}));
  }
}

}  // namespace rt::bench
