// watch: events, results and heartbeats, live, one line each.
#include <signal.h>

#include <cstdio>
#include <mutex>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/common/time.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

std::string describe(const std::string& subject, const json& doc) {
  const json& p = doc.value("payload", json::object());
  std::string type = doc.value("type", "?");
  if (type == "task.result") return p.contains("result") ? p["result"].value("content", "").substr(0, 80) : "";
  if (type == "task.failed") return p.value("error", "") + ": " + p.value("message", "").substr(0, 80);
  if (type == "heartbeat") return p.value("status", "") + " active=" + std::to_string(p.value("activeTaskCount", 0)) + " gateway=" + p.value("gateway", "");
  if (type == "task.progress") return std::to_string(p.value("percent", 0)) + "% " + p.value("message", "");
  if (type == "task.rejected") return p.value("reason", "").substr(0, 80);
  if (type == "task.retrying") return "attempt " + std::to_string(p.value("attempt", 0)) + " " + p.value("error", "");
  (void)subject;
  return p.value("message", "");
}

}  // namespace

Command watch_command() {
  Command c;
  c.words = {"watch"};
  c.summary = "print events, results and heartbeats live";
  c.usage = R"(usage: roundtable watch [--fleet F] [--no-heartbeats] [--json]

Prints one line per message on roundtable.events.<fleet>.>, <fleet>.results.> and
<fleet>.heartbeat.> until Ctrl-C: time, type, sender, task id, short text. --json prints the
raw envelopes, one per line.
)";
  c.boolean_flags = {"JSON", "NO_HEARTBEATS"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("watch", "unexpected argument '" + positional[0] + "'");
    TerminationSignals signals;
    auto fleet = fleet_of(s);
    bool as_json = s.boolean("JSON", false);
    auto bus = connect_bus(s);
    std::mutex print_mutex;
    auto printer = [&](nats::Message msg) {
      std::string subject(msg.subject());
      json doc = json::parse(msg.data(), nullptr, false);
      std::lock_guard lock(print_mutex);
      if (as_json) {
        std::printf("%s\n", doc.is_discarded() ? json{{"subject", subject}, {"raw", std::string(msg.data())}}.dump().c_str() : doc.dump().c_str());
      } else if (doc.is_object()) {
        std::string id = doc.value("correlationId", doc.value("id", ""));
        std::printf("%s %-16s %-10s %-8s %s\n", format_rfc3339(std::chrono::system_clock::now()).substr(11, 8).c_str(),
                    doc.value("type", "?").c_str(), doc.value("from", "?").c_str(), id.substr(0, 8).c_str(), describe(subject, doc).c_str());
      } else {
        std::printf("%s %-16s (not JSON) %s\n", format_rfc3339(std::chrono::system_clock::now()).substr(11, 8).c_str(), subject.c_str(),
                    std::string(msg.data().substr(0, 60)).c_str());
      }
      std::fflush(stdout);
    };
    std::vector<nats::Subscription> subs;
    std::vector<std::string> subjects{"roundtable.events." + fleet + ".>", fleet + ".results.>"};
    if (!s.boolean("NO_HEARTBEATS", false)) subjects.push_back(fleet + ".heartbeat.>");
    for (const auto& subject : subjects) {
      auto sub = bus.connection->subscribe(subject, printer);
      if (!sub) throw std::runtime_error(sub.error().message);
      subs.push_back(std::move(*sub));
    }
    bus.connection->flush(std::chrono::seconds(5));
    std::fprintf(stderr, "watching fleet %s (Ctrl-C to stop)\n", fleet.c_str());
    signals.wait();
    subs.clear();
    return 0;
  };
  return c;
}

}  // namespace rt::cli
