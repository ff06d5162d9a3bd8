#pragma once
// What a soak run counts, from the tasks it published and the results stored for them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "soak/soak_bus.hpp"

namespace rt::soak {

struct Tally {
  size_t tasks = 0;        // asked for
  size_t published = 0;    // stored in ROUNDTABLE_TASKS
  size_t completed = 0;    // first stored result is task.result
  size_t failed = 0;       // first stored result is task.failed
  size_t lost = 0;         // published, no stored result
  size_t duplicated = 0;   // more than one stored result
  uint64_t dead_lettered = 0;   // task.deadletter events
  uint64_t retrying = 0;        // task.retrying events
  std::optional<uint64_t> tasks_left;  // messages still in ROUNDTABLE_TASKS at the end
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // publish -> result stored
  std::vector<std::string> lost_ids, duplicated_ids, failed_ids;  // the first few of each

  bool passed() const { return published == tasks && lost == 0 && duplicated == 0 && dead_lettered == 0; }
  nlohmann::json to_json() const;
  std::string summary() const;
};

Tally count_results(const std::vector<PublishedTask>& published, const std::map<std::string, std::vector<StoredResult>>& results);

// The value below which `fraction` of the samples fall (nearest rank); 0 without samples.
double percentile(std::vector<double> samples, double fraction);

}  // namespace rt::soak
