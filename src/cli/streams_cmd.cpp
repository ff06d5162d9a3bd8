#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::cli {

Command streams_command() {
  Command c;
  c.words = {"streams", "apply"};
  c.summary = "create or update the four Round Table streams";
  c.usage = R"(usage: roundtable streams apply [--replicas N] [--nats-url URL]

Creates ROUNDTABLE_TASKS, ROUNDTABLE_RESULTS, ROUNDTABLE_EVENTS and ROUNDTABLE_HEARTBEAT as in
the contract, updates what NATS lets us update, and prints one line per stream: created,
updated (with the differences), unchanged, mismatch (with why NATS cannot change it) or
error (with the server's reason). Exit 1 on a mismatch or an error.
Replicas: --replicas or STREAM_REPLICAS (1).
)";
  c.flags = {"REPLICAS", "STREAM_REPLICAS"};
  c.environment = {"STREAM_REPLICAS"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("streams", "unexpected argument '" + positional[0] + "'");
    int replicas = static_cast<int>(s.integer("REPLICAS", s.integer("STREAM_REPLICAS", 1, 1, 5), 1, 5));
    auto bus = connect_bus(s);
    bool mismatch = false;
    for (const auto& spec : contract::contract_streams(replicas)) {
      auto report = bus.js->apply_stream(spec);
      if (!report) {  // the others are still worth applying; the exit code says it failed
        std::printf("%-22s error (%s)\n", spec.name.c_str(), report.error().message.c_str());
        mismatch = true;
        continue;
      }
      std::string outcome(nats::apply_outcome_name(report->outcome));
      std::string detail = report->differences.empty() ? "" : " (" + join(report->differences, "; ") + ")";
      std::printf("%-22s %s%s\n", spec.name.c_str(), outcome.c_str(), detail.c_str());
      mismatch = mismatch || report->outcome == nats::ApplyOutcome::mismatch;
    }
    return mismatch ? 1 : 0;
  };
  return c;
}

}  // namespace rt::cli
