// The knights roster, from the last heartbeat of every agent.
#include <algorithm>
#include <cstdio>

#include "roundtable/cli/views.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

std::string text_of(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

uint64_t count_of(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_integer()) return 0;
  auto value = it->get<int64_t>();
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

RosterEntry roster_entry(std::string_view subject, const json& heartbeat, SystemTime now, std::chrono::seconds stale_after) {
  RosterEntry entry;
  const json payload = heartbeat.is_object() && heartbeat.contains("payload") && heartbeat["payload"].is_object() ? heartbeat["payload"] : json::object();
  entry.agent = heartbeat.is_object() ? text_of(heartbeat, "from") : "";
  if (entry.agent.empty()) entry.agent = std::string(subject.substr(subject.rfind('.') + 1));
  // The bridge sends its domains; the contract's heartbeat has capabilities (<domain>.<action>).
  if (payload.contains("domains") && payload["domains"].is_array())
    for (const auto& d : payload["domains"])
      if (d.is_string()) add_unique(entry.domains, d.get<std::string>());
  if (entry.domains.empty() && payload.contains("capabilities") && payload["capabilities"].is_array())
    for (const auto& c : payload["capabilities"])
      if (c.is_string()) add_unique(entry.domains, c.get<std::string>().substr(0, c.get<std::string>().find('.')));
  entry.status = text_of(payload, "status");
  if (entry.status.empty()) entry.status = "?";
  entry.model = text_of(payload, "model");
  entry.gateway = text_of(payload, "gateway");
  entry.active_tasks = payload.contains("activeTaskCount") && payload["activeTaskCount"].is_number_integer() ? payload["activeTaskCount"].get<int>() : 0;
  if (payload.contains("consumers") && payload["consumers"].is_array())
    for (const auto& consumer : payload["consumers"])
      if (consumer.is_object()) entry.pending += count_of(consumer, "pending");
  auto sent = heartbeat.is_object() ? parse_rfc3339(text_of(heartbeat, "timestamp")) : std::nullopt;
  if (sent) entry.age_seconds = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *sent).count());
  if (entry.age_seconds < 0 || entry.age_seconds > stale_after.count()) entry.status = "stale";
  return entry;
}

json to_json(const RosterEntry& e) {
  return {{"agent", e.agent}, {"domains", e.domains},     {"status", e.status},   {"model", e.model},
          {"gateway", e.gateway}, {"activeTasks", e.active_tasks}, {"pending", e.pending}, {"heartbeatAgeSeconds", e.age_seconds}};
}

std::string roster_table(const std::vector<RosterEntry>& roster) {
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %-22s %-10s %-24s %6s %8s %9s\n", "AGENT", "DOMAINS", "STATUS", "MODEL", "ACTIVE", "PENDING",
                "LAST SEEN");
  std::string out = line;
  for (const auto& e : roster) {
    std::string age = e.age_seconds < 0 ? "?" : std::to_string(e.age_seconds) + "s";
    std::snprintf(line, sizeof line, "%-14s %-22s %-10s %-24s %6d %8llu %9s\n", e.agent.c_str(), join(e.domains, ",").c_str(),
                  e.status.c_str(), e.model.empty() ? "-" : e.model.c_str(), e.active_tasks, static_cast<unsigned long long>(e.pending),
                  age.c_str());
    out += line;
  }
  return out;
}

}  // namespace rt::cli
