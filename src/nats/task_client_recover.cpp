// Results that the subscription missed are still in ROUNDTABLE_RESULTS: read them from there.
#include "roundtable/contract/streams.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/task_client.hpp"

namespace rt::nats {

using nlohmann::json;

size_t TaskClient::recover_stored(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, std::string>> missing;  // id, result subject
  {
    std::lock_guard lock(mutex_);
    for (const auto& id : ids) {
      auto sent = sent_.find(id);
      if (sent == sent_.end() || results_.count(id)) continue;
      auto name = contract::parse_task_name(sent->second.order.task);
      if (!name) continue;
      auto subject = contract::result_subject(fleet_, name->domain, id);
      if (subject) missing.emplace_back(id, *subject);
    }
  }
  size_t found = 0;
  for (const auto& [id, subject] : missing) {
    auto stored = js_.last_message(contract::kResultsStream, subject);
    if (!stored || !stored->has_value()) continue;
    auto parsed = parse_json_bounded((*stored)->data());
    if (!parsed) continue;
    json doc = std::move(*parsed);
    if (!doc.is_object() || doc.value("correlationId", json()) != id) continue;
    std::lock_guard lock(mutex_);
    if (results_.count(id)) continue;  // the subscription was quicker
    results_[id] = {doc, std::chrono::steady_clock::now()};
    ++found;
    arrived_.notify_all();
  }
  return found;
}

std::vector<TaskAnswer> TaskClient::wait_checking_stream(const std::vector<std::string>& ids, std::chrono::steady_clock::time_point deadline,
                                                         std::chrono::milliseconds check_every) {
  auto all_answered = [](const std::vector<TaskAnswer>& answers) {
    for (const auto& a : answers)
      if (!a.answered) return false;
    return true;
  };
  // Only a lost connection can make the subscription miss a result; without one the stream is
  // not asked (which also keeps fleet users without stream read rights free of violations).
  uint64_t reconnects_seen = reconnects_at_start_;
  for (;;) {
    auto slice_end = std::min(deadline, std::chrono::steady_clock::now() + check_every);
    auto answers = wait(ids, slice_end);
    if (all_answered(answers)) return answers;
    if (connection_.reconnects() != reconnects_seen && connection_.connected()) {
      reconnects_seen = connection_.reconnects();
      recover_stored(ids);
    }
    if (std::chrono::steady_clock::now() >= deadline) return wait(ids, std::chrono::steady_clock::now());
  }
}

}  // namespace rt::nats
