#include "roundtable/bridge/dedup_store.hpp"

namespace rt::bridge {

namespace {
constexpr std::chrono::hours kMarkerLifetime{24};
constexpr const char* kDone = "done";
constexpr std::chrono::minutes kWarningInterval{1};

int64_t steady_ns() { return std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1); }
}  // namespace

void DedupStore::note_refusal(const Error& error) {
  if (error.code == ErrorCode::unavailable) return;  // Redis down: the heartbeat and /readyz say so
  const int64_t now = steady_ns();
  int64_t due = next_warning_ns_.load();
  if (now < due || !next_warning_ns_.compare_exchange_strong(due, now + kWarningInterval / std::chrono::nanoseconds(1))) return;
  logger_.warn("dedup.redis_refused", {{"error", error.message}});
}

DedupStore::State DedupStore::claim(const std::string& task_id) {
  if (!client_) return State::unknown;
  auto set = client_->set_if_absent(key(task_id), "claimed:" + agent_, kMarkerLifetime);
  if (!set) {
    note_refusal(set.error());
    return State::unknown;
  }
  if (*set) return State::fresh;
  auto value = client_->get(key(task_id));
  if (!value) return State::unknown;
  // A claim left by a crashed holder is taken over: JetStream gave us the delivery.
  return value->value_or("") == kDone ? State::done : State::claimed;
}

void DedupStore::mark_done(const std::string& task_id) {
  if (!client_) return;
  if (auto stored = client_->set(key(task_id), kDone, kMarkerLifetime); !stored) note_refusal(stored.error());
}

}  // namespace rt::bridge
