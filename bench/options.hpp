#pragma once
// The driver's command line and the task counts of a full or a quick run.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bridge_instance.hpp"

namespace rt::bench {

struct Counts {
  // Many short rounds: one in flight, a run's latency shifts with where the scheduler put its
  // threads (about 2x here between runs), and that holds for a fraction of a second.
  int rounds = 15;            // interleaved rounds of floor / bridge(s)
  int one_at_a_time = 400;    // tasks per round, one in flight
  int backlog = 2000;         // tasks per round, backlog
  int rtt = 400;              // keep-alive POSTs per round for the HTTP round trip
  int memory_first = 1000;    // RSS sampled after this many tasks ...
  int memory_total = 20000;   // ... and after this many
  int warm_starts = 9;
  int cold_starts = 3;
  int big_one_at_a_time = 50;  // 512 KiB tasks for the CPU figure
  int big_held = 8;            // 512 KiB tasks held in flight at once
  int big_parses = 50;
  int scale_backlog = 1000;   // tasks per scale-out run (20 ms gateway)
  int gateway_rounds = 3;
  int gateway_requests = 500;  // per round
  int gateway_starts = 9;
};

Counts full_counts();
Counts quick_counts();

struct Options {
  BridgeSpec bridge;
  std::optional<BridgeSpec> other;
  std::vector<std::string> gateway_argv;
  std::string json_path;
  bool quick = false;
  bool self_check = false;
  std::set<std::string> only;  // scenario names; empty: all
  int rounds = 0;              // > 0: overrides counts.rounds
  Counts counts;

  bool runs(const std::string& scenario) const { return only.empty() || only.count(scenario) > 0; }
};

// Scenario names for --only.
const std::vector<std::string>& scenario_names();

// Parses argv; prints usage and exits on --help or a bad option.
Options parse_options(int argc, char** argv);

}  // namespace rt::bench
