// The consumers table and the prune rule (docs/contract.md §3), without NATS.
#include <algorithm>
#include <cstdio>

#include "roundtable/cli/consumers.hpp"
#include "roundtable/cli/views.hpp"

namespace rt::cli {

using nlohmann::json;

void add_heartbeat(Liveness& liveness, std::string_view subject, const json& heartbeat, SystemTime now, std::chrono::seconds stale_after) {
  auto entry = roster_entry(subject, heartbeat, now, stale_after);
  liveness.heartbeat_age[entry.agent] = entry.age_seconds;
  if (entry.status == "stale") return;
  liveness.fresh_agents.insert(entry.agent);
  const json* consumers = nullptr;
  if (heartbeat.is_object() && heartbeat.contains("payload") && heartbeat["payload"].is_object() &&
      heartbeat["payload"].contains("consumers"))
    consumers = &heartbeat["payload"]["consumers"];
  if (consumers && consumers->is_array())
    for (const auto& c : *consumers)
      if (c.is_object() && c.contains("name") && c["name"].is_string()) liveness.fresh_consumers.insert(c["name"].get<std::string>());
}

namespace {

std::string domain_of_filter(const std::string& fleet, const std::string& filter) {
  const std::string prefix = fleet + ".tasks.";
  const std::string suffix = ".>";
  if (filter.rfind(prefix, 0) != 0 || filter.size() <= prefix.size() + suffix.size()) return "";
  if (filter.compare(filter.size() - suffix.size(), suffix.size(), suffix) != 0) return "";
  auto domain = filter.substr(prefix.size(), filter.size() - prefix.size() - suffix.size());
  return domain.find('.') == std::string::npos ? domain : "";
}

bool belongs_to(const std::string& fleet, const nats::ConsumerActivity& c) {
  return c.filter_subject.rfind(fleet + ".tasks.", 0) == 0 || c.name.rfind(fleet + "-", 0) == 0;
}

std::string evidence_of(const ConsumerRow& row, const Liveness& liveness) {
  if (row.waiting > 0) return "a bridge is fetching";
  if (liveness.fresh_consumers.count(row.name)) return "listed in a live heartbeat";
  if (liveness.fresh_agents.count(row.knight)) return "knight's heartbeat is fresh";
  if (row.knight.empty()) return "name is not <fleet>-<knight>-<domain>";
  auto age = liveness.heartbeat_age.find(row.knight);
  if (age == liveness.heartbeat_age.end()) return "no heartbeat from " + row.knight;
  if (age->second < 0) return "unreadable heartbeat from " + row.knight;
  return "last heartbeat " + std::to_string(age->second) + "s ago";
}

}  // namespace

std::string knight_of_consumer(const std::string& fleet, const std::string& name, const std::string& filter) {
  auto domain = domain_of_filter(fleet, filter);
  const std::string prefix = fleet + "-";
  const std::string suffix = "-" + domain;
  if (domain.empty() || name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return "";
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

std::vector<ConsumerRow> consumer_rows(const std::string& fleet, const std::vector<nats::ConsumerActivity>& consumers,
                                       const Liveness& liveness) {
  std::vector<ConsumerRow> rows;
  for (const auto& c : consumers) {
    if (!belongs_to(fleet, c)) continue;
    ConsumerRow row;
    row.name = c.name;
    row.filter = c.filter_subject;
    row.domain = domain_of_filter(fleet, c.filter_subject);
    row.knight = knight_of_consumer(fleet, c.name, c.filter_subject);
    row.pending = c.pending;
    row.ack_pending = c.ack_pending;
    row.redelivered = c.redelivered;
    row.waiting = c.waiting;
    row.last_active = c.last_delivered ? c.last_delivered : c.created;
    row.alive = row.waiting > 0 || liveness.fresh_consumers.count(row.name) > 0 ||
                (!row.knight.empty() && liveness.fresh_agents.count(row.knight) > 0);
    row.evidence = evidence_of(row, liveness);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const ConsumerRow& a, const ConsumerRow& b) { return a.name < b.name; });
  return rows;
}

std::optional<std::string> prune_refusal(const ConsumerRow& row, SystemTime now, std::chrono::seconds idle_for) {
  if (row.alive) return "alive: " + row.evidence;
  if (row.knight.empty()) return "knight unknown (" + row.evidence + "); remove it by hand if it is not needed";
  if (!row.last_active) return "last activity unknown";
  if (now - *row.last_active < idle_for) return "active " + short_age(row.last_active, now) + " ago, within --idle-for";
  return std::nullopt;
}

std::string short_age(std::optional<SystemTime> since, SystemTime now) {
  if (!since) return "-";
  auto seconds = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *since).count());
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 2 * 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

json to_json(const ConsumerRow& row, SystemTime now) {
  json out = {{"name", row.name},       {"knight", row.knight},          {"domain", row.domain},     {"filter", row.filter},
              {"pending", row.pending}, {"ackPending", row.ack_pending}, {"redelivered", row.redelivered},
              {"waiting", row.waiting}, {"alive", row.alive},            {"evidence", row.evidence}};
  out["lastActive"] = row.last_active ? json(format_rfc3339(*row.last_active)) : json(nullptr);
  out["idleSeconds"] = row.last_active ? json(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *row.last_active).count()))
                                       : json(nullptr);
  return out;
}

std::string consumers_table(const std::vector<ConsumerRow>& rows, SystemTime now) {
  char line[640];
  std::snprintf(line, sizeof line, "%-32s %-12s %-28s %8s %11s %11s %-5s %s\n", "CONSUMER", "KNIGHT", "FILTER", "PENDING", "ACK PENDING",
                "LAST ACTIVE", "ALIVE", "WHY");
  std::string out = line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-32s %-12s %-28s %8llu %11llu %11s %-5s %s\n", r.name.c_str(), r.knight.empty() ? "?" : r.knight.c_str(),
                  r.filter.c_str(), static_cast<unsigned long long>(r.pending), static_cast<unsigned long long>(r.ack_pending),
                  (short_age(r.last_active, now) + (r.last_active ? " ago" : "")).c_str(), r.alive ? "yes" : "no", r.evidence.c_str());
    out += line;
  }
  return out;
}

}  // namespace rt::cli
