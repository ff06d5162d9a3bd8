#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <sstream>

#include "spawn.hpp"

namespace rt::bench {
namespace {

const char* kUsage = R"(usage: roundtable_bench [options]

Measures nats-bridge (or any bridge speaking the contract's subjects) and knight-gateway against
floors measured in the same run, on a nats-server -js of its own: one table, one row per figure
of issue 15 (bench/README.md says how each is measured).

  --bridge-cmd "CMD"        the bridge under test (default: the built nats-bridge)
  --bridge-env KEY=VALUE    added to its standard environment (repeatable)
  --bridge-ready-path PATH  its readiness route (default /readyz; a 404 falls back to /health)
  --other-bridge-cmd "CMD"  a second bridge measured in the same run, interleaved (e.g. the Go one)
  --other-bridge-env KEY=VALUE, --other-ready-path PATH, --other-label NAME (default "other")
  --gateway-cmd "CMD"       knight-gateway (default: the built one)
  --json PATH               also write the rows as JSON
  --quick                   reduced task counts: a sanity check, not a measurement
  --self-check              exit 1 unless every row has a finite measured value
  --only LIST               comma list of scenarios: throughput (one in flight, backlog, CPU,
                            memory), ready, big (512 KiB tasks), scale, gateway (knight-gateway)
  --rounds N                interleaved rounds of the throughput scenario (default 15, quick 3)

Commands and KEY=VALUE values may hold {nats_url} {gateway_url} {health_port} {domain} {agent}
{fleet}; the standard environment is NATS_URL GATEWAY_URL FLEET_ID=fleet-a AGENT_ID TASK_DOMAINS
HEALTH_PORT HEALTH_HOST=127.0.0.1 MAX_CONCURRENCY LOG_LEVEL=info WORKSPACE_DIR=/nonexistent.
Example, the Go bridge: --other-bridge-cmd /path/to/go-nats-bridge --other-label go
  --other-bridge-env 'SUBSCRIBE_TOPICS=fleet-a.tasks.{domain}.>'
  --other-bridge-env 'OPENCLAW_WEBHOOK_URL={gateway_url}/v1/chat/completions'
)";

[[noreturn]] void usage(int code, const std::string& problem = "") {
  if (!problem.empty()) std::fprintf(stderr, "roundtable_bench: %s\n\n", problem.c_str());
  std::fputs(kUsage, code ? stderr : stdout);
  std::exit(code);
}

void add_env(BridgeSpec& spec, const std::string& pair) {
  auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) usage(2, "expected KEY=VALUE, got '" + pair + "'");
  spec.env[pair.substr(0, eq)] = pair.substr(eq + 1);
}

void add_scenarios(Options& o, const std::string& list) {
  std::string name;
  std::stringstream in(list);
  while (std::getline(in, name, ',')) {
    const auto& known = scenario_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) usage(2, "unknown scenario '" + name + "'");
    o.only.insert(name);
  }
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names{"throughput", "ready", "big", "scale", "gateway"};
  return names;
}

Counts full_counts() { return Counts{}; }

Counts quick_counts() {
  Counts c;
  c.rounds = 3;
  c.one_at_a_time = 150;
  c.backlog = 400;
  c.rtt = 200;
  c.memory_first = 200;
  c.memory_total = 2000;
  c.warm_starts = 2;
  c.cold_starts = 1;
  c.big_one_at_a_time = 5;
  c.big_parses = 10;
  c.scale_backlog = 80;
  c.gateway_rounds = 1;
  c.gateway_requests = 100;
  c.gateway_starts = 2;
  return c;
}

Options parse_options(int argc, char** argv) {
  Options o;
  o.bridge = BridgeSpec{"bridge", {std::string(RT_BIN_DIR) + "/nats-bridge"}, {}, "/readyz", "security", "galahad", true};
  BridgeSpec other{"other", {}, {}, "/readyz", "audit", "percival", false};
  o.gateway_argv = {std::string(RT_BIN_DIR) + "/knight-gateway"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(2, arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") usage(0);
    else if (arg == "--bridge-cmd") o.bridge.argv = split_command(value());
    else if (arg == "--bridge-env") add_env(o.bridge, value());
    else if (arg == "--bridge-ready-path") o.bridge.ready_path = value();
    else if (arg == "--other-bridge-cmd") other.argv = split_command(value());
    else if (arg == "--other-bridge-env") add_env(other, value());
    else if (arg == "--other-ready-path") other.ready_path = value();
    else if (arg == "--other-label") other.label = value();
    else if (arg == "--gateway-cmd") o.gateway_argv = split_command(value());
    else if (arg == "--json") o.json_path = value();
    else if (arg == "--quick") o.quick = true;
    else if (arg == "--self-check") o.self_check = true;
    else if (arg == "--only") add_scenarios(o, value());
    else if (arg == "--rounds") o.rounds = std::atoi(value().c_str());
    else usage(2, "unknown option " + arg);
  }
  if (o.bridge.argv.empty()) usage(2, "--bridge-cmd is empty");
  if (!other.argv.empty()) o.other = other;
  else if (!other.env.empty()) usage(2, "--other-bridge-env without --other-bridge-cmd");
  if (o.other && o.other->label == o.bridge.label) usage(2, "--other-label must differ from \"bridge\"");
  o.counts = o.quick ? quick_counts() : full_counts();
  if (o.rounds < 0) usage(2, "--rounds must be positive");
  if (o.rounds > 0) o.counts.rounds = o.rounds;
  return o;
}

}  // namespace rt::bench
