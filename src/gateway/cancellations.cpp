#include "roundtable/gateway/cancellations.hpp"

#include <vector>

namespace rt::gateway {

namespace {
constexpr size_t kMaxRemembered = 10'000;
}  // namespace

void Cancellations::cancel(const std::string& task_id) {
  std::vector<std::function<void()>> to_run;
  {
    std::lock_guard lock(mutex_);
    if (cancelled_.insert(task_id).second) {
      order_.push_back(task_id);
      if (order_.size() > kMaxRemembered) {
        cancelled_.erase(order_.front());
        order_.pop_front();
      }
    }
    auto [first, last] = watches_.equal_range(task_id);
    for (auto it = first; it != last; ++it) to_run.push_back(it->second.second);
  }
  for (auto& run : to_run) run();
}

bool Cancellations::cancelled(const std::string& task_id) const {
  std::lock_guard lock(mutex_);
  return cancelled_.count(task_id) > 0;
}

Cancellations::Watch Cancellations::watch(const std::string& task_id, std::function<void()> on_cancel) {
  bool already = false;
  uint64_t token = 0;
  {
    std::lock_guard lock(mutex_);
    token = next_token_++;
    already = cancelled_.count(task_id) > 0;
    watches_.emplace(task_id, std::make_pair(token, on_cancel));
  }
  if (already) on_cancel();
  return Watch(this, task_id, token);
}

Cancellations::Watch::~Watch() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mutex_);
  auto [first, last] = owner_->watches_.equal_range(task_id_);
  for (auto it = first; it != last; ++it)
    if (it->second.first == token_) {
      owner_->watches_.erase(it);
      return;
    }
}

}  // namespace rt::gateway
