// knights: the live roster from the heartbeat stream.
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::cli {

using nlohmann::json;

Command knights_command() {
  Command c;
  c.words = {"knights"};
  c.summary = "list live knights from their heartbeats";
  c.usage = R"(usage: roundtable knights [--fleet F] [--stale-after DUR] [--json]

Reads the last heartbeat of every agent of the fleet (<fleet>.heartbeat.*) stored in
ROUNDTABLE_HEARTBEAT and prints agent, domains, status, model, active tasks, tasks pending in
its consumers and the heartbeat's age. A knight whose last heartbeat is older than
--stale-after (90s: three default heartbeat intervals) shows as 'stale'.
  --json             print one JSON object {"fleet": F, "knights": [...]}
)";
  c.flags = {"STALE_AFTER"};
  c.boolean_flags = {"JSON"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("knights", "unexpected argument '" + positional[0] + "'");
    auto fleet = fleet_of(s);
    auto stale_after = std::chrono::duration_cast<std::chrono::seconds>(s.duration("STALE_AFTER", std::chrono::seconds(90)));
    bool as_json = s.boolean("JSON", false);
    auto bus = connect_bus(s);
    auto subjects = bus.js->subjects(contract::kHeartbeatStream, fleet + ".heartbeat.*");
    if (!subjects) throw std::runtime_error("cannot read " + std::string(contract::kHeartbeatStream) + ": " + explain_stream_error(subjects.error()));
    std::sort(subjects->begin(), subjects->end());
    std::vector<RosterEntry> roster;
    for (const auto& subject : *subjects) {
      auto last = bus.js->last_message(contract::kHeartbeatStream, subject);
      if (!last) throw std::runtime_error("cannot read " + subject + ": " + last.error().message);
      if (!last->has_value()) continue;  // aged out between the listing and the read
      auto beat = parse_json_bounded((*last)->data());  // a heartbeat is bus input: bounded
      roster.push_back(roster_entry(subject, beat ? std::move(*beat) : json(), std::chrono::system_clock::now(), stale_after));
    }
    if (as_json) {
      json knights = json::array();
      for (const auto& entry : roster) knights.push_back(to_json(entry));
      std::printf("%s\n", json{{"fleet", fleet}, {"knights", knights}}.dump().c_str());
    } else if (roster.empty()) {
      std::printf("no knight of fleet %s has sent a heartbeat in the last hour\n", fleet.c_str());
    } else {
      std::fputs(roster_table(roster).c_str(), stdout);
    }
    return 0;
  };
  return c;
}

}  // namespace rt::cli
