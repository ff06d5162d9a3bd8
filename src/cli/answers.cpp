// How ask and fanout show answers.
#include <cstdio>

#include "roundtable/cli/views.hpp"

namespace rt::cli {

using nlohmann::json;

std::string answer_status(const nats::TaskAnswer& answer) {
  if (answer.completed) return "completed";
  return answer.answered ? "failed" : "timeout";
}

std::string fanout_table(const std::vector<nats::TaskAnswer>& answers) {
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %-10s %10s  %-14s %s\n", "TASK", "STATUS", "DURATION", "AGENT", "DETAIL");
  std::string out = line;
  for (const auto& a : answers) {
    std::string detail = a.content();
    detail = detail.substr(0, detail.find('\n'));
    if (detail.size() > 60) {
      size_t cut = 60;
      while (cut > 0 && (static_cast<unsigned char>(detail[cut]) & 0xC0) == 0x80) --cut;
      detail = detail.substr(0, cut) + "...";
    }
    std::string took = std::to_string(a.elapsed.count()) + "ms";
    std::snprintf(line, sizeof line, "%-28s %-10s %10s  %-14s %s\n", a.task.c_str(), answer_status(a).c_str(), took.c_str(),
                  a.agent.empty() ? "-" : a.agent.c_str(), detail.c_str());
    out += line;
  }
  return out;
}

json to_json(const nats::TaskAnswer& a) {
  json out = {{"taskId", a.task_id}, {"task", a.task}, {"status", answer_status(a)}, {"agent", a.agent}, {"elapsedMs", a.elapsed.count()}};
  if (a.completed) out["content"] = a.content();
  if (a.answered && !a.completed) {
    out["error"] = a.error_code();
    const json payload = a.envelope.value("payload", json::object());
    out["message"] = payload.value("message", "");
  }
  if (a.answered) out["envelope"] = a.envelope;
  return out;
}

}  // namespace rt::cli
