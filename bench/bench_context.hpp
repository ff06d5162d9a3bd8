#pragma once
// What every scenario shares: the options, the driver's nats-server and instant gateway, the
// bridges under test, the report and the progress lines on stderr.
#include <cstdio>
#include <string>
#include <vector>

#include "instant_gateway.hpp"
#include "nats_server.hpp"
#include "options.hpp"
#include "report.hpp"
#include "stats.hpp"

namespace rt::bench {

class Progress {
 public:
  void say(const std::string& line) const {
    std::fprintf(stderr, "[bench %6.1fs] %s\n", seconds_between(start_, Steady::now()), line.c_str());
  }

 private:
  Steady::time_point start_ = Steady::now();
};

struct BenchContext {
  const Options& options;
  NatsServerProcess& nats;
  InstantGateway& gateway;
  std::vector<const BridgeSpec*> subjects;  // the bridge under test first, then the other one
  Report& report;
  Progress progress;

  const Counts& counts() const { return options.counts; }
  const BridgeSpec* other() const { return subjects.size() > 1 ? subjects[1] : nullptr; }
};

inline double mib(int64_t kib) { return kib / 1024.0; }

}  // namespace rt::bench
