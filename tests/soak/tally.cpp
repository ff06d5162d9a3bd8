#include "soak/tally.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace rt::soak {

namespace {
constexpr size_t kIdsShown = 20;

void note(std::vector<std::string>& ids, const std::string& id) {
  if (ids.size() < kIdsShown) ids.push_back(id);
}
}  // namespace

double percentile(std::vector<double> samples, double fraction) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

Tally count_results(const std::vector<PublishedTask>& published, const std::map<std::string, std::vector<StoredResult>>& results) {
  Tally t;
  std::vector<double> latencies;
  for (const auto& task : published) {
    auto found = results.find(task.id);
    if (found == results.end() || found->second.empty()) {
      ++t.lost;
      note(t.lost_ids, task.id);
      continue;
    }
    const auto& stored = found->second;
    if (stored.size() > 1) {
      ++t.duplicated;
      note(t.duplicated_ids, task.id);
    }
    if (stored.front().type == "task.result") {
      ++t.completed;
    } else {
      ++t.failed;
      note(t.failed_ids, task.id);
    }
    if (stored.front().at) latencies.push_back(std::chrono::duration<double, std::milli>(*stored.front().at - task.at).count());
  }
  t.p50_ms = percentile(latencies, 0.50);
  t.p99_ms = percentile(latencies, 0.99);
  t.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  return t;
}

nlohmann::json Tally::to_json() const {
  nlohmann::json doc = {{"tasks", tasks},           {"published", published},   {"completed", completed},
                        {"failed", failed},         {"lost", lost},             {"duplicated", duplicated},
                        {"deadLettered", dead_lettered}, {"retryingEvents", retrying},
                        {"completionMs", {{"p50", std::lround(p50_ms)}, {"p99", std::lround(p99_ms)}, {"max", std::lround(max_ms)}}},
                        {"lostIds", lost_ids},      {"duplicatedIds", duplicated_ids}, {"failedIds", failed_ids},
                        {"passed", passed()}};
  doc["tasksLeftInStream"] = tasks_left ? nlohmann::json(*tasks_left) : nlohmann::json(nullptr);
  return doc;
}

std::string Tally::summary() const {
  std::ostringstream out;
  out << "tasks=" << tasks << " published=" << published << " completed=" << completed << " failed=" << failed
      << " lost=" << lost << " duplicated=" << duplicated << " dead_lettered=" << dead_lettered
      << " p50=" << std::lround(p50_ms) << "ms p99=" << std::lround(p99_ms) << "ms max=" << std::lround(max_ms) << "ms";
  return out.str();
}

}  // namespace rt::soak
