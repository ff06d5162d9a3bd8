#include "roundtable/gateway/work_slots.hpp"

namespace rt::gateway {

WorkSlots::Slot WorkSlots::enter() {
  std::unique_lock lock(mutex_);
  if (running_ >= slots_) {
    if (waiting_ >= queue_) return nullptr;
    ++waiting_;
    freed_.wait(lock, [this] { return running_ < slots_; });
    --waiting_;
  }
  ++running_;
  return Slot(this, [](void* self) { static_cast<WorkSlots*>(self)->leave(); });
}

void WorkSlots::leave() {
  {
    std::lock_guard lock(mutex_);
    --running_;
  }
  freed_.notify_one();
}

int WorkSlots::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

int WorkSlots::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace rt::gateway
