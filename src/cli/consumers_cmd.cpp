// consumers, consumers prune: the fleet's task consumers and the removal of departed knights'.
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/consumers.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

constexpr const char* kListUsage = R"(usage: roundtable consumers [--fleet F] [--stale-after DUR] [--json]
       roundtable consumers prune [--dry-run] [--idle-for DUR] [--stale-after DUR] [--json]

Lists the durable consumers of ROUNDTABLE_TASKS that belong to the fleet (filter
<fleet>.tasks.<domain>.>, name <fleet>-<knight>-<domain>) with their knight, filter, pending
tasks (lag), tasks delivered and not yet acknowledged, the last delivery (or the creation when
nothing was delivered yet) and whether the knight is alive: its last heartbeat in
ROUNDTABLE_HEARTBEAT is younger than --stale-after (90s), a live heartbeat lists the consumer,
or a bridge is fetching from it right now.
  --json             print one JSON object {"fleet": F, "consumers": [...]}

Exit codes: 0 listed, 1 NATS or the stream could not be read, 2 bad arguments.
)";

constexpr const char* kPruneUsage = R"(usage: roundtable consumers prune [--dry-run] [--idle-for DUR] [--stale-after DUR] [--json]

Deletes the consumers of knights that are no longer alive (see `roundtable consumers`), so that
a new knight can bind the domain (a work-queue stream refuses overlapping filters). A consumer
stays when its knight is alive, when its name does not follow <fleet>-<knight>-<domain>, or
when it delivered a task (or was created) within --idle-for (1h): a knight restarting or being
rescheduled is not pruned. Tasks waiting in the stream are kept; the next consumer of the
domain takes them. Deleting needs the JetStream right $JS.API.CONSUMER.DELETE (the fleet's
admin user in the deployment; fleet users cannot).
  --dry-run          print what would be removed, remove nothing
  --idle-for DUR     minimum time since the last delivery (1h; 0s removes at once)
  --json             print {"fleet": F, "removed"|"wouldRemove": [...], "kept": [...]}

Exit codes: 0 done (also when nothing was to remove), 1 a deletion or a read failed, 2 bad arguments.
)";

struct Inventory {
  Bus bus;
  std::vector<ConsumerRow> rows;
};

Inventory take_inventory(const config::Settings& s, const std::string& fleet) {
  auto stale_after = std::chrono::duration_cast<std::chrono::seconds>(s.duration("STALE_AFTER", std::chrono::seconds(90)));
  auto bus = connect_bus(s);
  auto consumers = nats::list_consumer_activity(*bus.connection, contract::kTasksStream);
  if (!consumers)
    throw std::runtime_error("cannot list the consumers of " + std::string(contract::kTasksStream) + ": " + explain_stream_error(consumers.error()));
  Liveness liveness;
  auto now = std::chrono::system_clock::now();
  auto subjects = bus.js->subjects(contract::kHeartbeatStream, fleet + ".heartbeat.*");
  if (!subjects) throw std::runtime_error("cannot read " + std::string(contract::kHeartbeatStream) + ": " + explain_stream_error(subjects.error()));
  for (const auto& subject : *subjects) {
    auto last = bus.js->last_message(contract::kHeartbeatStream, subject);
    if (!last) throw std::runtime_error("cannot read " + subject + ": " + last.error().message);
    if (last->has_value()) add_heartbeat(liveness, subject, json::parse((*last)->data(), nullptr, false), now, stale_after);
  }
  return Inventory{std::move(bus), consumer_rows(fleet, *consumers, liveness)};
}

void no_positional(const std::vector<std::string>& positional, const char* command) {
  if (!positional.empty()) throw config::ConfigError(command, "unexpected argument '" + positional[0] + "'");
}

int list(const config::Settings& s, const std::vector<std::string>& positional) {
  no_positional(positional, "consumers");
  auto fleet = fleet_of(s);
  bool as_json = s.boolean("JSON", false);
  auto inventory = take_inventory(s, fleet);
  auto now = std::chrono::system_clock::now();
  if (as_json) {
    json rows = json::array();
    for (const auto& row : inventory.rows) rows.push_back(to_json(row, now));
    std::printf("%s\n", json{{"fleet", fleet}, {"consumers", rows}}.dump().c_str());
  } else if (inventory.rows.empty()) {
    std::printf("fleet %s has no consumer on %s\n", fleet.c_str(), contract::kTasksStream);
  } else {
    std::fputs(consumers_table(inventory.rows, now).c_str(), stdout);
  }
  return 0;
}

int prune(const config::Settings& s, const std::vector<std::string>& positional) {
  no_positional(positional, "consumers prune");
  auto fleet = fleet_of(s);
  bool dry_run = s.boolean("DRY_RUN", false);
  bool as_json = s.boolean("JSON", false);
  auto idle_for = std::chrono::duration_cast<std::chrono::seconds>(s.duration("IDLE_FOR", std::chrono::hours(1)));
  auto inventory = take_inventory(s, fleet);
  auto now = std::chrono::system_clock::now();
  json removed = json::array(), kept = json::array();
  int failures = 0;
  for (const auto& row : inventory.rows) {
    if (auto refusal = prune_refusal(row, now, idle_for)) {
      kept.push_back({{"name", row.name}, {"why", *refusal}});
      if (!as_json) std::printf("kept     %s: %s\n", row.name.c_str(), refusal->c_str());
      continue;
    }
    std::string why = row.evidence + ", idle " + short_age(row.last_active, now) + ", " + std::to_string(row.pending) + " pending";
    if (!dry_run) {
      if (auto status = inventory.bus.js->delete_consumer(contract::kTasksStream, row.name); !status) {
        ++failures;
        std::fprintf(stderr, "roundtable: cannot remove %s: %s\n", row.name.c_str(), status.error().message.c_str());
        continue;
      }
    }
    removed.push_back({{"name", row.name}, {"knight", row.knight}, {"why", why}});
    if (!as_json) std::printf("%s %s (knight %s: %s)\n", dry_run ? "would remove" : "removed ", row.name.c_str(), row.knight.c_str(), why.c_str());
  }
  if (as_json)
    std::printf("%s\n", json{{"fleet", fleet}, {dry_run ? "wouldRemove" : "removed", removed}, {"kept", kept}}.dump().c_str());
  else if (inventory.rows.empty())
    std::printf("fleet %s has no consumer on %s\n", fleet.c_str(), contract::kTasksStream);
  return failures == 0 ? 0 : 1;
}

}  // namespace

Command consumers_command() {
  Command c;
  c.words = {"consumers"};
  c.summary = "list task consumers: knight, lag, last activity, alive";
  c.usage = kListUsage;
  c.flags = {"STALE_AFTER"};
  c.boolean_flags = {"JSON"};
  c.run = list;
  return c;
}

Command consumers_prune_command() {
  Command c;
  c.words = {"consumers", "prune"};
  c.summary = "remove the consumers of knights no longer alive";
  c.usage = kPruneUsage;
  c.flags = {"STALE_AFTER", "IDLE_FOR"};
  c.boolean_flags = {"JSON", "DRY_RUN"};
  c.run = prune;
  return c;
}

}  // namespace rt::cli
