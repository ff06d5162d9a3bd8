// watch: events, results and heartbeats, live, one line each.
#include <cstdio>
#include <mutex>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/common/signals.hpp"

namespace rt::cli {

using nlohmann::json;

Command watch_command() {
  Command c;
  c.words = {"watch"};
  c.summary = "print events, results and heartbeats live";
  c.usage = R"(usage: roundtable watch [--fleet F] [--no-heartbeats] [--json]

Prints one line per message on roundtable.events.<fleet>.>, <fleet>.results.> and
<fleet>.heartbeat.> until Ctrl-C or SIGTERM (exit 0): time, kind (event | result | heartbeat),
type, agent, task id (first 8 characters), short text.
  --no-heartbeats    leave heartbeats out
  --json             one JSON object per line: {"subject": ..., "envelope": ...}
)";
  c.boolean_flags = {"JSON", "NO_HEARTBEATS"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("watch", "unexpected argument '" + positional[0] + "'");
    TerminationSignals signals;  // before any NATS thread starts, so they inherit the mask
    auto fleet = fleet_of(s);
    bool as_json = s.boolean("JSON", false);
    std::vector<std::string> subjects{"roundtable.events." + fleet + ".>", fleet + ".results.>"};
    if (!s.boolean("NO_HEARTBEATS", false)) subjects.push_back(fleet + ".heartbeat.>");
    auto bus = connect_bus(s);
    std::mutex print_mutex;
    auto print = [&](nats::Message msg) {
      std::string line;
      if (as_json) {
        auto doc = parse_json_bounded(msg.data());  // bounded: a deep message must not crash watch
        json out = {{"subject", std::string(msg.subject())}};
        if (!doc) out["raw"] = std::string(msg.data());
        else out["envelope"] = std::move(*doc);
        line = out.dump(-1, ' ', false, json::error_handler_t::replace);
      } else {
        line = watch_line(msg.subject(), msg.data(), std::chrono::system_clock::now());
      }
      std::lock_guard lock(print_mutex);
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
    std::vector<nats::Subscription> subscriptions;
    for (const auto& subject : subjects) {
      auto sub = bus.connection->subscribe(subject, print);
      if (!sub) throw std::runtime_error("cannot subscribe to " + subject + ": " + sub.error().message);
      subscriptions.push_back(std::move(*sub));
    }
    if (auto flushed = bus.connection->flush(std::chrono::seconds(5)); !flushed)
      throw std::runtime_error("NATS did not confirm the subscriptions: " + flushed.error().message);
    std::fprintf(stderr, "watching fleet %s (Ctrl-C to stop)\n", fleet.c_str());
    signals.wait();
    subscriptions.clear();
    bus.connection->drain(std::chrono::seconds(2));
    return 0;
  };
  return c;
}

}  // namespace rt::cli
