// One line per message for `roundtable watch`.
#include <cstdio>

#include "roundtable/cli/views.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

// The first line of a text, at most `limit` bytes (never cutting a UTF-8 sequence).
std::string short_text(const std::string& text, size_t limit = 80) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() <= limit) return line;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

std::string text_of(const json& p, const std::string& key) {
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t number_of(const json& p, const std::string& key) {
  auto it = p.find(key);
  return it != p.end() ? clamped_integer(*it, INT64_MIN, INT64_MAX).value_or(0) : 0;
}

std::string describe(const std::string& type, const json& p) {
  if (type == "task.result") {
    const json& result = p.contains("result") && p["result"].is_object() ? p["result"] : p;
    return short_text(text_of(result, "content"));
  }
  if (type == "task.failed") return text_of(p, "error") + ": " + short_text(text_of(p, "message"));
  if (type == "heartbeat")
    return text_of(p, "status") + " active=" + std::to_string(number_of(p, "activeTaskCount")) + " gateway=" + text_of(p, "gateway");
  if (type == "task.progress") {
    std::string percent = p.contains("percent") && p["percent"].is_number() ? std::to_string(number_of(p, "percent")) + "% " : "";
    return percent + short_text(text_of(p, "message"));
  }
  if (type == "task.retrying") return "attempt " + std::to_string(number_of(p, "attempt")) + " " + text_of(p, "error");
  if (type == "task.deadletter") return "gave up after " + std::to_string(number_of(p, "attempts")) + " attempts: " + text_of(p, "error");
  if (type == "task.rejected") return short_text(text_of(p, "reason").empty() ? text_of(p, "message") : text_of(p, "reason"));
  if (type == "knight.online" || type == "knight.offline") {
    std::vector<std::string> domains;
    if (p.contains("domains") && p["domains"].is_array())
      for (const auto& d : p["domains"])
        if (d.is_string()) domains.push_back(d.get<std::string>());
    return domains.empty() ? short_text(text_of(p, "message")) : "domains " + join(domains, ",");
  }
  return short_text(text_of(p, "message"));
}

std::string clock_of(const json& doc, SystemTime now) {
  auto sent = doc.contains("timestamp") && doc["timestamp"].is_string() ? parse_rfc3339(doc["timestamp"].get<std::string>()) : std::nullopt;
  return format_rfc3339(sent.value_or(now)).substr(11, 8);
}

}  // namespace

std::string subject_kind(std::string_view subject) {
  auto parts = split(subject, '.');
  if (parts.size() >= 3 && parts[0] == "roundtable" && parts[1] == "events") return "event";
  if (parts.size() >= 3 && parts[1] == "results") return "result";
  if (parts.size() >= 3 && parts[1] == "heartbeat") return "heartbeat";
  if (parts.size() >= 3 && parts[1] == "tasks") return "task";
  return "other";
}

// Every piece of bus text reaches the terminal through terminal_safe: a message must not be able
// to move the cursor, retitle the window or hide earlier lines.
std::string watch_line(std::string_view subject, std::string_view data, SystemTime now) {
  std::string kind = subject_kind(subject);
  auto parsed = parse_json_bounded(data);
  json doc = parsed ? std::move(*parsed) : json();
  char line[512];
  if (!doc.is_object()) {
    std::snprintf(line, sizeof line, "%s %-9s %-15s %s", format_rfc3339(now).substr(11, 8).c_str(), kind.c_str(), "(not JSON)",
                  terminal_safe(subject).c_str());
    return line;
  }
  const json payload = doc.contains("payload") && doc["payload"].is_object() ? doc["payload"] : json::object();
  std::string type = terminal_safe(text_of(doc, "type"));
  std::string agent = text_of(payload, "agent");
  if (agent.empty()) agent = text_of(doc, "from");
  agent = terminal_safe(agent);
  std::string task_id = text_of(doc, "correlationId");
  if (task_id.empty() && kind != "heartbeat") task_id = text_of(doc, "id");
  task_id = terminal_safe(task_id);
  std::snprintf(line, sizeof line, "%s %-9s %-15s %-12s %-8s ", clock_of(doc, now).c_str(), kind.c_str(),
                type.empty() ? "?" : type.c_str(), agent.empty() ? "-" : agent.c_str(), task_id.empty() ? "-" : task_id.substr(0, 8).c_str());
  return line + terminal_safe(describe(type, payload));
}

}  // namespace rt::cli
