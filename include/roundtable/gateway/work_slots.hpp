#pragma once
// At most `slots` tasks think at once; up to `queue` more wait for a slot; beyond that a request
// is turned away at once (503), so the server's threads are never all taken by waiting work and
// /health and /metrics always answer.
#include <condition_variable>
#include <memory>
#include <mutex>

namespace rt::gateway {

class WorkSlots {
 public:
  WorkSlots(int slots, int queue) : slots_(slots), queue_(queue) {}

  // Held while a task runs; the slot frees when the last copy goes.
  using Slot = std::shared_ptr<void>;
  // Waits for a free slot; null at once when `queue` requests are already waiting.
  Slot enter();
  int running() const;
  int waiting() const;

 private:
  void leave();

  const int slots_, queue_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int running_ = 0, waiting_ = 0;
};

}  // namespace rt::gateway
