// roundtable_bench: every figure of issue 15 beside its floor or reference, the ratio and the goal.
// Progress on stderr, the table on stdout, the rows as JSON with --json.
#include <signal.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>

#include "bench_context.hpp"
#include "bench_error.hpp"
#include "bridge_big_task.hpp"
#include "bridge_ready.hpp"
#include "bridge_scale.hpp"
#include "bridge_throughput.hpp"
#include "gateway_runs.hpp"
#include "nats_c.hpp"

using namespace rt::bench;

namespace {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

nlohmann::json counts_json(const Counts& c) {
  return {{"rounds", c.rounds},           {"one_at_a_time", c.one_at_a_time}, {"backlog", c.backlog},
          {"rtt", c.rtt},                 {"memory_first", c.memory_first},   {"memory_total", c.memory_total},
          {"warm_starts", c.warm_starts}, {"cold_starts", c.cold_starts},     {"big_one_at_a_time", c.big_one_at_a_time},
          {"big_held", c.big_held},       {"scale_backlog", c.scale_backlog}, {"gateway_rounds", c.gateway_rounds},
          {"gateway_requests", c.gateway_requests}, {"gateway_starts", c.gateway_starts}};
}

void write_json(const Options& options, const Report& report, const std::string& started) {
  nlohmann::json doc{{"started", started},
                     {"quick", options.quick},
                     {"bridge_cmd", joined(options.bridge.argv)},
                     {"other_bridge_cmd", options.other ? joined(options.other->argv) : ""},
                     {"counts", counts_json(options.counts)},
                     {"rows", report.to_json()}};
  std::ofstream(options.json_path) << doc.dump(2) << "\n";
}

void run_all(BenchContext& ctx) {
  const auto& o = ctx.options;
  std::optional<ThroughputFigures> throughput;
  if (o.runs("throughput")) {
    throughput = measure_throughput(ctx);
    add_throughput_rows(ctx, *throughput);
  }
  if (o.runs("ready")) add_ready_rows(ctx, measure_ready(ctx));
  if (throughput) add_memory_rows(ctx, *throughput);
  if (o.runs("big")) add_big_task_rows(ctx, measure_big_tasks(ctx));
  if (o.runs("scale")) add_scale_rows(ctx, measure_scale_out(ctx));
  if (o.runs("gateway")) add_gateway_rows(ctx, measure_gateway(ctx));
}

bool every_row_measured(const Report& report) {
  bool ok = !report.rows().empty();
  for (const auto& row : report.rows())
    if (!std::isfinite(row.measured) || (row.reference && !std::isfinite(*row.reference))) {
      std::cerr << "self-check: row '" << row.name << "' has no finite value\n";
      ok = false;
    }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options options = parse_options(argc, argv);
  std::string started = utc_now();
  Report report;
  try {
    NatsServerProcess nats;
    {
      NatsClient setup(nats.url(), "bench-setup");
      setup.create_contract_streams();
    }
    InstantGateway gateway;
    BenchContext ctx{options, nats, gateway, {&options.bridge}, report, {}};
    if (options.other) ctx.subjects.push_back(&*options.other);
    ctx.progress.say(std::string(options.quick ? "quick run" : "full run") + ": nats-server " + nats.url() + ", instant gateway " +
                     gateway.url());
    run_all(ctx);
    ctx.progress.say("done");
  } catch (const BenchError& e) {
    std::cerr << "roundtable_bench: " << e.what() << "\n";
    return 1;
  }
  std::cout << "roundtable_bench " << started << (options.quick ? " (--quick: reduced counts, not a measurement)" : "") << "\n";
  std::cout << "bridge: " << joined(options.bridge.argv) << "\n";
  if (options.other) std::cout << options.other->label << ": " << joined(options.other->argv) << "\n";
  report.print(stdout);
  std::fflush(stdout);
  if (!options.json_path.empty()) write_json(options, report, started);
  if (options.self_check && !every_row_measured(report)) return 1;
  return 0;
}
