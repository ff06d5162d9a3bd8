#include "roundtable/nats/redelivery_guard.hpp"

#include <algorithm>

namespace rt::nats {

namespace {
int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
}  // namespace

void RedeliveryGuard::inbox_dropped() {
  const int64_t until = now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(sweep_).count();
  int64_t seen = safe_from_ns_.load();
  while (seen < until && !safe_from_ns_.compare_exchange_weak(seen, until)) {
  }
}

std::chrono::milliseconds RedeliveryGuard::hold_back(std::chrono::milliseconds delay) const {
  const int64_t left_ns = safe_from_ns_.load() - now_ns();
  if (left_ns <= 0) return delay;
  // Rounded up: a nak due a fraction of a millisecond early would still meet the request.
  const auto left = std::chrono::milliseconds((left_ns + 999'999) / 1'000'000);
  return std::max(delay, left);
}

}  // namespace rt::nats
