// knights: the live roster from the heartbeat stream.
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::cli {

using nlohmann::json;

Command knights_command() {
  Command c;
  c.words = {"knights"};
  c.summary = "list live knights from their heartbeats";
  c.usage = R"(usage: roundtable knights [--fleet F] [--json]

Reads the last heartbeat of every knight of the fleet from ROUNDTABLE_HEARTBEAT and prints
agent, domains, status, model, active tasks, pending tasks and the heartbeat's age. A knight
whose last heartbeat is older than 3 intervals (90s) shows as 'stale'.
)";
  c.boolean_flags = {"JSON"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("knights", "unexpected argument '" + positional[0] + "'");
    auto fleet = fleet_of(s);
    auto bus = connect_bus(s);
    auto subjects = bus.js->subjects(contract::kHeartbeatStream, fleet + ".heartbeat.*");
    if (!subjects) throw std::runtime_error(subjects.error().message);
    json roster = json::array();
    for (const auto& subject : *subjects) {
      auto last = bus.js->last_message(contract::kHeartbeatStream, subject);
      if (!last || !last->has_value()) continue;
      json doc = json::parse((*last)->data(), nullptr, false);
      if (!doc.is_object()) continue;
      const json& p = doc.value("payload", json::object());
      auto sent = parse_rfc3339(doc.value("timestamp", ""));
      long long age = sent ? std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *sent).count() : -1;
      uint64_t pending = 0;
      for (const auto& consumer : p.value("consumers", json::array())) pending += consumer.value("pending", 0ull) + consumer.value("ackPending", 0ull);
      std::vector<std::string> domains;
      for (const auto& d : p.value("domains", json::array())) domains.push_back(d.get<std::string>());
      std::string status = age > 90 ? "stale" : p.value("status", "?");
      roster.push_back({{"agent", doc.value("from", subject.substr(subject.rfind('.') + 1))}, {"domains", domains}, {"status", status},
                        {"model", p.value("model", "")}, {"activeTasks", p.value("activeTaskCount", 0)}, {"pending", pending},
                        {"heartbeatAgeSeconds", age}, {"gateway", p.value("gateway", "")}});
    }
    if (s.boolean("JSON", false)) {
      std::printf("%s\n", roster.dump().c_str());
      return 0;
    }
    if (roster.empty()) {
      std::printf("no knights have sent a heartbeat in fleet %s\n", fleet.c_str());
      return 0;
    }
    std::printf("%-14s %-22s %-10s %-22s %6s %8s %9s\n", "AGENT", "DOMAINS", "STATUS", "MODEL", "ACTIVE", "PENDING", "LAST SEEN");
    for (const auto& k : roster) {
      std::string domains = join(k["domains"].get<std::vector<std::string>>(), ",");
      std::printf("%-14s %-22s %-10s %-22s %6d %8llu %8llds\n", k["agent"].get<std::string>().c_str(), domains.c_str(),
                  k["status"].get<std::string>().c_str(), k["model"].get<std::string>().c_str(), k["activeTasks"].get<int>(),
                  static_cast<unsigned long long>(k["pending"].get<uint64_t>()), static_cast<long long>(k["heartbeatAgeSeconds"].get<int64_t>()));
    }
    return 0;
  };
  return c;
}

}  // namespace rt::cli
