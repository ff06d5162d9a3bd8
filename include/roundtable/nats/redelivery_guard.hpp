#pragma once
// When a message may be handed back after the bridge dropped a pull inbox.
//
// nats-server drops a pull request whose inbox nobody listens to only when it next tries to
// deliver to it, or at the request's next idle heartbeat. In 2.9 (Debian 12 ships 2.9.10) and 2.10
// releases before the fixes of April 2024 (nats-server #5305, #5338), a *redelivery* that meets such
// a request comes back with a wrong delivery count: one
// too high (an attempt lost: a task can be dead-lettered after fewer gateway calls than
// MAX_DELIVER) or reset to 1. The bridge drops its inbox when intake pauses and at shutdown;
// what it hands back in the next two heartbeats is held back until the server has swept the
// request, so the next delivery is counted right.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace rt::nats {

class RedeliveryGuard {
 public:
  // `sweep`: how long after an inbox is dropped its open requests may still linger.
  explicit RedeliveryGuard(std::chrono::milliseconds sweep) : sweep_(sweep) {}

  // An inbox with (possibly) open requests stopped being listened to just now.
  void inbox_dropped();
  // The delay to nak with instead of `delay`: never before the lingering requests are gone.
  std::chrono::milliseconds hold_back(std::chrono::milliseconds delay) const;

 private:
  std::chrono::milliseconds sweep_;
  std::atomic<int64_t> safe_from_ns_{0};  // steady clock; 0: nothing lingers
};

}  // namespace rt::nats
