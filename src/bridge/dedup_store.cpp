#include "roundtable/bridge/dedup_store.hpp"

namespace rt::bridge {

namespace {
constexpr std::chrono::hours kMarkerLifetime{24};
constexpr const char* kDone = "done";
}  // namespace

DedupStore::State DedupStore::claim(const std::string& task_id) {
  if (!client_) return State::unknown;
  auto set = client_->set_if_absent(key(task_id), "claimed:" + agent_, kMarkerLifetime);
  if (!set) return State::unknown;
  if (*set) return State::fresh;
  auto value = client_->get(key(task_id));
  if (!value) return State::unknown;
  // A claim left by a crashed holder is taken over: JetStream gave us the delivery.
  return value->value_or("") == kDone ? State::done : State::claimed;
}

void DedupStore::mark_done(const std::string& task_id) {
  if (client_) client_->set(key(task_id), kDone, kMarkerLifetime);
}

}  // namespace rt::bridge
