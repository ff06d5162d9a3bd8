// The dashboard's fleet model: knights from heartbeats, snapshots, spend. Tasks are in
// dashboard_tasks.cpp.
#include <algorithm>

#include "roundtable/cli/dashboard/fleet_state.hpp"
#include "roundtable/common/json_parse.hpp"

namespace rt::cli::dashboard {

using nlohmann::json;
using std::chrono::milliseconds;

std::string text_of(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

namespace {

std::vector<std::string> strings_of(const json& doc, const char* key, size_t max) {
  std::vector<std::string> out;
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) return out;
  for (const auto& item : *it)
    if (item.is_string() && out.size() < max) out.push_back(item.get<std::string>().substr(0, 128));
  return out;
}

std::vector<std::string_view> tokens(std::string_view subject) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= subject.size()) {
    auto dot = subject.find('.', start);
    if (dot == std::string_view::npos) dot = subject.size();
    out.push_back(subject.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

std::string seconds_text(milliseconds ms) {
  auto tenths = (ms.count() + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

// Said once when the knight goes down, so it names the time rather than an age that would freeze.
std::string silence(const KnightView& k) {
  return "no heartbeat since " + format_rfc3339(*k.last_heartbeat).substr(11, 8) + " UTC (one every " + seconds_text(k.interval) + ")";
}

}  // namespace

int64_t epoch_ms(SystemTime t) { return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count(); }

FleetState::FleetState(std::string fleet, Limits limits, Listener listener)
    : fleet_(std::move(fleet)), limits_(limits), listener_(std::move(listener)) {}

std::string FleetState::cap(std::string text) const {
  if (text.size() <= limits_.max_text) return text;
  size_t cut = limits_.max_text;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return text.substr(0, cut) + "…";
}

void FleetState::on_message(std::string_view subject, std::string_view data, SystemTime now, bool live) {
  auto parsed = parse_json_bounded(data);
  if (!parsed || !parsed->is_object()) return;
  const json& env = *parsed;
  auto t = tokens(subject);
  std::lock_guard lock(mutex_);
  if (t.size() == 5 && t[0] == "roundtable" && t[1] == "events" && t[2] == fleet_)
    on_event(std::string(t[3]) + "." + std::string(t[4]), env, now);
  else if (t.size() == 4 && t[0] == fleet_ && t[1] == "results")
    on_result(env, now);
  else if (t.size() == 3 && t[0] == fleet_ && t[1] == "heartbeat")
    on_heartbeat(t[2], env, now, live);
  else if (t.size() == 4 && t[0] == fleet_ && t[1] == "tasks")
    on_request(env, now);
}

KnightView* FleetState::knight(const std::string& agent) {
  if (agent.empty() || agent.size() > 64) return nullptr;
  auto it = knights_.find(agent);
  if (it != knights_.end()) return &it->second;
  if (knights_.size() >= limits_.max_knights) return nullptr;
  KnightView& k = knights_[agent];
  k.agent = agent;
  k.interval = limits_.default_interval;
  return &k;
}

void FleetState::on_heartbeat(std::string_view subject_agent, const json& env, SystemTime now, bool live) {
  std::string agent = text_of(env, "from");
  if (agent.empty()) agent = std::string(subject_agent);
  KnightView* k = knight(agent);
  if (!k) return;
  const json payload = env.contains("payload") && env["payload"].is_object() ? env["payload"] : json::object();
  auto sent = parse_rfc3339(text_of(env, "timestamp"));
  if (k->offline_at && sent && *sent <= *k->offline_at) return;  // sent before it said goodbye
  if (sent) {
    if (!k->sent.empty() && *sent > k->sent.back()) {
      k->sent.push_back(*sent);
      if (k->sent.size() > 4) k->sent.pop_front();
      // The longest recent gap: an extra early heartbeat must not make the knight look late.
      milliseconds longest{0};
      for (size_t i = 1; i < k->sent.size(); ++i)
        longest = std::max(longest, std::chrono::duration_cast<milliseconds>(k->sent[i] - k->sent[i - 1]));
      k->interval = std::clamp(longest, milliseconds(100), milliseconds(std::chrono::hours(1)));
    } else if (k->sent.empty()) {
      k->sent.push_back(*sent);
    }
  }
  k->last_heartbeat = live || !sent ? now : *sent;
  k->offline_at.reset();
  k->reported_status = cap(text_of(payload, "status"));
  if (k->reported_status.empty()) k->reported_status = "?";
  k->status = k->reported_status;
  k->down_reason.clear();
  k->model = cap(text_of(payload, "model"));
  k->gateway = cap(text_of(payload, "gateway"));
  k->breaker = cap(text_of(payload, "breaker"));
  k->instance = cap(text_of(payload, "instance"));
  k->capabilities = strings_of(payload, "capabilities", 64);
  k->domains = strings_of(payload, "domains", 64);
  if (k->domains.empty())
    for (const auto& c : k->capabilities) {
      auto domain = c.substr(0, c.find('.'));
      if (std::find(k->domains.begin(), k->domains.end(), domain) == k->domains.end()) k->domains.push_back(domain);
    }
  k->active_tasks = clamped_integer(payload.value("activeTaskCount", json()), 0, 1000000).value_or(0);
  k->lag = 0;
  if (payload.contains("consumers") && payload["consumers"].is_array())
    for (const auto& c : payload["consumers"])
      if (c.is_object()) k->lag += clamped_integer(c.value("pending", json()), 0, int64_t{1} << 40).value_or(0);
  if (!live && k->last_heartbeat && now - *k->last_heartbeat > k->interval * 3 / 2)
    mark_down(*k, "down", silence(*k));
  emit_knight(*k, now);
}

void FleetState::mark_down(KnightView& k, std::string status, std::string reason) {
  k.status = std::move(status);
  k.down_reason = cap(std::move(reason));
}

void FleetState::tick(SystemTime now) {
  std::lock_guard lock(mutex_);
  for (auto& [agent, k] : knights_) {
    if (k.status == "down" || k.status == "offline" || !k.last_heartbeat) continue;
    auto silent = std::chrono::duration_cast<milliseconds>(now - *k.last_heartbeat);
    if (silent <= k.interval * 3 / 2) continue;
    mark_down(k, "down", silence(k));
    emit_knight(k, now);
  }
}

void FleetState::set_spend(SpendToday spend) {
  std::lock_guard lock(mutex_);
  if (redis_spend_ && redis_spend_->day == spend.day && redis_spend_->micro_usd == spend.micro_usd) return;
  redis_spend_ = std::move(spend);
  if (listener_) listener_("spend", spend_json_locked(std::chrono::system_clock::now()));
}

SpendToday FleetState::observed_spend(SystemTime now) const {
  std::lock_guard lock(mutex_);
  SpendToday out{format_rfc3339(now).substr(0, 10), "results", {}};
  if (auto it = seen_spend_.find(out.day); it != seen_spend_.end()) out.micro_usd = it->second;
  return out;
}

json FleetState::spend_json_locked(SystemTime now) const {
  SpendToday s{format_rfc3339(now).substr(0, 10), "results", {}};
  if (redis_spend_ && redis_spend_->day == s.day) s = *redis_spend_;
  else if (auto it = seen_spend_.find(s.day); it != seen_spend_.end()) s.micro_usd = it->second;
  json knights = json::array();
  int64_t total = 0;
  for (const auto& [agent, micro] : s.micro_usd) {
    knights.push_back({{"agent", agent}, {"usd", static_cast<double>(micro) / 1e6}});
    total += micro;
  }
  return {{"day", s.day}, {"source", s.source}, {"knights", knights}, {"totalUsd", static_cast<double>(total) / 1e6}};
}

json FleetState::knight_json(const KnightView& k, SystemTime now) const {
  json out = {{"agent", k.agent},          {"status", k.status},
              {"reportedStatus", k.reported_status}, {"down", k.status == "down" || k.status == "offline"},
              {"downReason", k.down_reason}, {"model", k.model},
              {"domains", k.domains},       {"capabilities", k.capabilities},
              {"activeTasks", k.active_tasks}, {"lag", k.lag},
              {"gateway", k.gateway},       {"breaker", k.breaker},
              {"intervalMs", k.interval.count()}};
  out["lastHeartbeatMs"] = k.last_heartbeat ? json(epoch_ms(*k.last_heartbeat)) : json();
  out["heartbeatAgeMs"] = k.last_heartbeat ? json(std::chrono::duration_cast<milliseconds>(now - *k.last_heartbeat).count()) : json();
  return out;
}

void FleetState::emit_knight(const KnightView& k, SystemTime now) {
  if (listener_) listener_("knight", knight_json(k, now));
}

void FleetState::emit_task(TaskView& t) {
  t.updated = ++sequence_;
  if (listener_) listener_("task", task_json(t));
}

json FleetState::snapshot_locked(SystemTime now) const {
  json knights = json::array();
  for (const auto& [agent, k] : knights_) knights.push_back(knight_json(k, now));
  json tasks = json::array();
  for (auto it = task_order_.rbegin(); it != task_order_.rend(); ++it)
    if (auto t = tasks_.find(*it); t != tasks_.end()) tasks.push_back(task_json(t->second));
  return {{"fleet", fleet_}, {"serverTimeMs", epoch_ms(now)}, {"knights", knights}, {"tasks", tasks}, {"spend", spend_json_locked(now)}};
}

json FleetState::snapshot(SystemTime now) const {
  std::lock_guard lock(mutex_);
  return snapshot_locked(now);
}

void FleetState::with_snapshot(SystemTime now, const std::function<void(const json&)>& joined) const {
  std::lock_guard lock(mutex_);
  joined(snapshot_locked(now));
}

}  // namespace rt::cli::dashboard
