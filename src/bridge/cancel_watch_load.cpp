// CancelWatch's local copy of ROUNDTABLE_CANCELS: with every stored cancel known here, the check
// at fetch needs no request to the stream (docs/performance.md: it was one request per task).
#include "roundtable/bridge/cancel_watch.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::bridge {

namespace {
constexpr size_t kMaxLoaded = 10'000;  // more stored cancels than this: look each task up instead
constexpr std::chrono::seconds kRecheck{1};
constexpr std::chrono::seconds kMaxRetryPause{60};
}  // namespace

bool CancelWatch::knows_all() const {
  return connection_.connected() && loaded_at_reconnect_.load() == connection_.reconnects();
}

// Reads the stream once at start and again after each reconnect (what was published while the
// connection was down never reached the subscription).
void CancelWatch::keep_complete() {
  std::unique_lock lock(stop_mutex_);
  std::chrono::seconds pause = kRecheck;
  while (!stopping_) {
    const uint64_t reconnects = connection_.reconnects();
    if (loaded_at_reconnect_.load() != reconnects && connection_.connected()) {
      lock.unlock();
      bool loaded = load_stored();
      lock.lock();
      if (loaded) loaded_at_reconnect_ = reconnects;
      // Until it works, tasks are looked up one by one; a stream that cannot be read is asked again less and less often.
      pause = loaded ? kRecheck : std::min(pause * 2, kMaxRetryPause);
    }
    stop_cv_.wait_for(lock, pause, [this] { return stopping_; });
  }
}

bool CancelWatch::load_stored() {
  auto state = js_.stream_state(contract::kCancelsStream);
  if (!state) return false;
  if (state->messages == 0) return true;
  if (state->messages > kMaxLoaded) return false;
  // One stored cancel per subject: list the subjects, then read each one's message. Both are
  // requests a fleet's NATS user may make (deploy/base/nats/auth.conf); a consumer on the stream is not.
  auto subjects = js_.subjects(contract::kCancelsStream, fleet_ + ".cancel.>");
  if (!subjects) {
    logger_.warn("cancel.load_failed", {{"error", subjects.error().message}});
    return false;
  }
  if (subjects->size() > kMaxLoaded) return false;
  for (const auto& subject : *subjects) {
    auto stored = js_.last_message(contract::kCancelsStream, subject);
    if (!stored) {
      logger_.warn("cancel.load_failed", {{"error", stored.error().message}});
      return false;
    }
    if (!*stored) continue;
    auto envelope = contract::parse_envelope((*stored)->data(), contract::kMaxTaskBytes);
    auto cancel = envelope ? contract::parse_cancel(*envelope) : Result<contract::CancelRequest>(envelope.error());
    if (cancel && subject == fleet_ + ".cancel." + cancel->task_id) remember(*cancel);
  }
  std::lock_guard lock(mutex_);
  return seen_order_.size() < kMaxLoaded;  // nothing forgotten while reading
}

}  // namespace rt::bridge
