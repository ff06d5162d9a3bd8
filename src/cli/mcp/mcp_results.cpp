// Recent answers kept as MCP resources.
#include <algorithm>

#include "roundtable/cli/mcp/recent_results.hpp"
#include "roundtable/cli/views.hpp"

namespace rt::cli::mcp {

using nlohmann::json;

std::string result_uri(const std::string& task_id) { return std::string(kResultsUriPrefix) + task_id; }

std::string task_id_of_uri(std::string_view uri) {
  if (uri.substr(0, kResultsUriPrefix.size()) != kResultsUriPrefix) return "";
  auto id = uri.substr(kResultsUriPrefix.size());
  if (id.empty() || id.size() > 64) return "";
  bool plain = std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'; });
  return plain ? std::string(id) : "";
}

namespace {
size_t size_of(const nats::TaskAnswer& answer) {
  return answer.envelope.dump(-1, ' ', false, json::error_handler_t::replace).size() + answer.task.size() + 256;
}
}  // namespace

void RecentResults::trim() {
  while (!answers_.empty() && (answers_.size() > capacity_ || bytes_ > max_bytes_)) {
    bytes_ -= answers_.back().second;
    answers_.pop_back();
  }
}

void RecentResults::add(const nats::TaskAnswer& answer) {
  size_t size = size_of(answer);
  std::lock_guard lock(mutex_);
  answers_.emplace_front(answer, size);
  bytes_ += size;
  trim();
}

bool RecentResults::update(const nats::TaskAnswer& answer) {
  size_t size = size_of(answer);
  std::lock_guard lock(mutex_);
  auto it = std::find_if(answers_.begin(), answers_.end(), [&](const auto& kept) { return kept.first.task_id == answer.task_id; });
  if (it == answers_.end()) return false;
  bytes_ = bytes_ - it->second + size;
  *it = {answer, size};
  trim();
  return true;
}

std::optional<nats::TaskAnswer> RecentResults::find(const std::string& task_id) const {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(answers_.begin(), answers_.end(), [&](const auto& kept) { return kept.first.task_id == task_id; });
  if (it == answers_.end()) return std::nullopt;
  return it->first;
}

json RecentResults::list() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [a, size] : answers_) {
    std::string who = a.agent.empty() ? "" : " by " + a.agent;
    out.push_back({{"uri", result_uri(a.task_id)},
                   {"name", a.task + " " + a.task_id.substr(0, 8)},
                   {"title", a.task + who + " (" + answer_status(a) + ")"},
                   {"description", "The answer to task " + a.task_id + " (" + a.task + "), as roundtable ask --json prints it"},
                   {"mimeType", "application/json"}});
  }
  return out;
}

}  // namespace rt::cli::mcp
