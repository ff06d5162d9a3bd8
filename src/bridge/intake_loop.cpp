// The bridge's intake, run by whichever idle worker leads it (task_queue.hpp): standing pull
// requests on every consumer for as many tasks as there are free slots, read straight into the
// worker that runs the first of them (docs/performance.md: one request serves many tasks).
#include <algorithm>

#include "roundtable/bridge/bridge.hpp"

namespace rt::bridge {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kIntakeWait{1000};
constexpr milliseconds kRefusedPause{500};
constexpr milliseconds kStragglerWait{500};
}  // namespace

// Opens a request on each consumer that has none, sized to the free slots (a fair share each),
// and only once a useful batch is free: asking for one task at a time would cost a request per
// task under a backlog. A worker with nothing held is asked for at once, however small the
// batch and even past the consumers' shares: else a task in the stream would wait beside an idle
// worker for as long as the others run (7 of 8 workers busy with a look-ahead of 4: fewer than
// half the places free; or another domain's request holding its share open). So the bridge can
// hold up to MAX_CONCURRENCY more than its places, the extra kept alive like any queued task.
// Returns how many tasks are asked for in all.
int Bridge::request_what_fits(int capacity, int share) {
  int open = 0;
  for (size_t i = 0; i < feed_->size(); ++i) open += feed_->outstanding(i);
  if (open > 0 && !stopping_ && !gate_.intake_open()) {
    withdraw_requests();
    open = 0;
  }
  asking_ = open > 0;
  if (stopping_ || !gate_.intake_open() || !connection_->connected()) return open;
  int held;
  {
    std::lock_guard lock(held_mutex_);
    held = slots_taken_locked();
  }
  // A half-open breaker lets one probe through: a task already held is that probe, else ask for
  // one. A request opened now would likely be dropped at once if the probe fails, and a request
  // dropped just after it was asked for is one nats-server 2.9 miscounts a redelivery into.
  if (gate_.state() == BreakerState::half_open) {
    if (held > 0 || open > 0) return open;
    share = 1;
  }
  const int threshold = std::max(1, share / 2);
  int asked_now = 0;
  for (size_t i = 0; i < feed_->size(); ++i) {
    if (feed_->outstanding(i) > 0) continue;
    // Workers with nothing to do are asked for past the shares (those asked for in this pass
    // aside): another consumer's open request may never be served, and a task must not wait
    // beside an idle worker for it.
    const int idle_workers = config_.max_concurrency - held - asked_now;
    int batch = std::min(share, std::max(capacity - held - open, idle_workers));
    if (batch <= 0 || (batch < threshold && idle_workers <= 0)) continue;
    asking_ = true;  // before the request leaves: "paused" must mean that none is open
    if (auto sent = feed_->request(i, batch); !sent) {
      logger_.warn("bridge.pull_request_failed", {{"consumer", feed_->target(i).consumer}, {"error", sent.error().message}});
      continue;
    }
    open += batch;
    asked_now += batch;
  }
  asking_ = open > 0;
  return open;
}

// The gateway went away (or the breaker opened): tasks published from now on stay in the stream
// for a replica whose gateway answers. What was already on its way is held here, in its first
// delivery, until this gateway is back.
void Bridge::withdraw_requests() {
  auto stragglers = feed_->withdraw(kStragglerWait);
  if (!stragglers) {
    logger_.warn("bridge.pull_withdraw_failed", {{"error", stragglers.error().message}});
    return;
  }
  for (auto& message : *stragglers) withdrawn_.push_back(std::move(message));
}

HeldTaskPtr Bridge::hold(nats::Message message) {
  auto task = std::make_shared<HeldTask>(std::move(message), feed_->redelivery_guard());
  std::lock_guard lock(held_mutex_);
  held_.push_back(task);
  return task;
}

// One turn of the intake's lead: keep the requests topped up, then wait (at most kIntakeWait)
// for what they bring, and take whatever else is already in the inbox.
Bridge::Arrivals Bridge::lead_intake(std::chrono::milliseconds wait) {
  Arrivals arrived;
  auto take = [&](nats::Message message) {
    auto task = hold(std::move(message));
    arrived.emplace_back(task->priority(), std::move(task));
  };
  if (stopping_) return arrived;
  const int capacity = config_.max_concurrency + config_.priority_lookahead;
  const int share = std::max(1, capacity / static_cast<int>(std::max<size_t>(1, feed_->size())));
  const int open = request_what_fits(capacity, share);
  for (auto& straggler : withdrawn_) take(std::move(straggler));
  withdrawn_.clear();
  if (open == 0) {
    if (arrived.empty() && wait.count() > 0) wait_until_intake_can_ask(capacity, share);
    return arrived;
  }
  for (auto next_wait = arrived.empty() ? wait : milliseconds(0);; next_wait = milliseconds(0)) {
    auto delivery = feed_->next(next_wait);
    if (!delivery) {
      if (!intake_error_logged_.exchange(true)) logger_.warn("bridge.fetch_failed", {{"error", delivery.error().message}});
      if (arrived.empty()) wait_stop_for(kRefusedPause);
      return arrived;
    }
    intake_error_logged_ = false;
    if (!*delivery) return arrived;
    take(std::move((*delivery)->message));
  }
}

// Nothing is asked for, so nothing can arrive: wait for the gateway, for NATS, for slots to
// free up, or for the stop, rather than lead again at once.
void Bridge::wait_until_intake_can_ask(int capacity, int share) {
  if (!gate_.intake_open()) {
    gate_.wait_until_intake_open(kIntakeWait);
    return;
  }
  const int useful = std::max(1, share / 2);
  std::unique_lock lock(held_mutex_);
  const bool room = capacity - slots_taken_locked() >= useful;
  if (room || !connection_->connected()) {  // the request could not be sent
    lock.unlock();
    wait_stop_for(kRefusedPause);
    return;
  }
  slot_freed_.wait_for(lock, kIntakeWait, [&] { return stopping_ || capacity - slots_taken_locked() >= useful; });
}

// What the open requests had already sent when the bridge stopped goes straight back.
void Bridge::hand_back_stragglers() {
  if (!feed_) return;
  auto guard = feed_->redelivery_guard();
  for (auto& message : withdrawn_) message.nak_with_delay(guard->hold_back(milliseconds(0)));
  withdrawn_.clear();
  for (auto& message : feed_->close(kStragglerWait)) message.nak_with_delay(guard->hold_back(milliseconds(0)));
}

}  // namespace rt::bridge
