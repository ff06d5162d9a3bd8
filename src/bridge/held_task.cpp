#include "roundtable/bridge/held_task.hpp"

namespace rt::bridge {

HeldTask::HeldTask(nats::Message message, std::shared_ptr<const nats::RedeliveryGuard> guard)
    : message_(std::move(message)), guard_(std::move(guard)), envelope_(contract::parse_task_envelope(message_.data(), {.max_bytes = contract::kMaxTaskBytes})) {
  if (auto delivery = message_.delivery()) attempt_ = static_cast<int>(delivery->delivered);
}

nlohmann::json HeldTask::full_envelope_json() const {
  auto full = contract::parse_envelope(message_.data(), contract::kMaxTaskBytes);
  return full ? contract::envelope_to_json(*full) : nlohmann::json::object();
}

std::optional<trace::TraceContext> HeldTask::incoming_trace() const {
  return trace::incoming_context(message_.header("traceparent"), message_.header("tracestate"));
}

bool HeldTask::ack() {
  std::lock_guard lock(mutex_);
  if (settled_) return false;
  settled_ = true;
  return static_cast<bool>(message_.ack());
}

bool HeldTask::nak(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  if (settled_) return false;
  settled_ = true;
  return static_cast<bool>(message_.nak_with_delay(guard_ ? guard_->hold_back(delay) : delay));
}

bool HeldTask::term() {
  std::lock_guard lock(mutex_);
  if (settled_) return false;
  settled_ = true;
  return static_cast<bool>(message_.term());
}

bool HeldTask::keep_alive() {
  std::lock_guard lock(mutex_);
  if (settled_) return false;
  return static_cast<bool>(message_.in_progress());
}

bool HeldTask::settled() const {
  std::lock_guard lock(mutex_);
  return settled_;
}

}  // namespace rt::bridge
