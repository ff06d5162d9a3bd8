// CancelWatch's local copy of ROUNDTABLE_CANCELS: with every stored cancel known here, the check
// at fetch needs no request to the stream (docs/performance.md: it was one request per task).
#include "roundtable/bridge/cancel_watch.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::bridge {

namespace {
constexpr size_t kMaxLoaded = 10'000;  // more stored cancels than this: look each task up instead
constexpr std::chrono::seconds kRecheck{1};
}  // namespace

bool CancelWatch::knows_all() const {
  return connection_.connected() && loaded_at_reconnect_.load() == connection_.reconnects();
}

// Reads the stream once at start and again after each reconnect (what was published while the
// connection was down never reached the subscription).
void CancelWatch::keep_complete() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    const uint64_t reconnects = connection_.reconnects();
    if (loaded_at_reconnect_.load() != reconnects && connection_.connected()) {
      lock.unlock();
      bool loaded = load_stored();
      lock.lock();
      if (loaded) loaded_at_reconnect_ = reconnects;
    }
    stop_cv_.wait_for(lock, kRecheck, [this] { return stopping_; });
  }
}

bool CancelWatch::load_stored() {
  auto state = js_.stream_state(contract::kCancelsStream);
  if (!state) return false;
  if (state->messages == 0) return true;
  if (state->messages > kMaxLoaded) return false;
  auto stored = js_.read_since(contract::kCancelsStream, fleet_ + ".cancel.>", 0, kMaxLoaded);
  if (!stored) {
    logger_.warn("cancel.load_failed", {{"error", stored.error().message}});
    return false;
  }
  for (const auto& message : *stored) {
    auto envelope = contract::parse_envelope(message.data, contract::kMaxTaskBytes);
    auto cancel = envelope ? contract::parse_cancel(*envelope) : Result<contract::CancelRequest>(envelope.error());
    if (cancel && message.subject == fleet_ + ".cancel." + cancel->task_id) remember(*cancel);
  }
  std::lock_guard lock(mutex_);
  return seen_order_.size() < kMaxLoaded;  // nothing forgotten while reading
}

}  // namespace rt::bridge
