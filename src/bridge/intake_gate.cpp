#include "roundtable/bridge/intake_gate.hpp"

#include <algorithm>
#include <utility>

namespace rt::bridge {

using std::chrono::milliseconds;

namespace {
// Waits re-check the clock at least this often, so an injected clock drives the cooldown too.
constexpr milliseconds kRecheck{200};
}  // namespace

std::string_view breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half-open";
  }
  return "closed";
}

IntakeGate::IntakeGate(BreakerSettings settings, SteadyNow now) : settings_(settings), now_(std::move(now)) {}

void IntakeGate::refresh_locked() {
  if (state_ == BreakerState::open && now_() >= reopen_at_) state_ = BreakerState::half_open;
}

bool IntakeGate::intake_open_locked() const {
  if (stopped_ || !reachable_) return false;
  return state_ == BreakerState::closed || (state_ == BreakerState::half_open && !probe_out_);
}

std::optional<IntakeGate::Permit> IntakeGate::wait_for_turn() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopped_) return std::nullopt;
    refresh_locked();
    if (turn_is_free_locked()) return Permit{false};
    if (reachable_ && state_ == BreakerState::half_open && !probe_out_) {
      probe_out_ = true;
      lock.unlock();
      tell_if_closed(true);  // the probe is out: no more tasks until it answers
      return Permit{true};
    }
    changed_.wait_for(lock, kRecheck);
  }
}

bool IntakeGate::turn_is_free() const {
  std::lock_guard lock(mutex_);
  return turn_is_free_locked();
}

bool IntakeGate::wait_until_intake_open(milliseconds limit) {
  std::unique_lock lock(mutex_);
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (true) {
    refresh_locked();
    if (intake_open_locked()) return true;
    auto left = std::chrono::duration_cast<milliseconds>(give_up - std::chrono::steady_clock::now());
    if (stopped_ || left <= milliseconds(0)) return false;
    changed_.wait_for(lock, std::min(left, kRecheck));
  }
}

bool IntakeGate::set_gateway_reachable(bool reachable) {
  bool was, was_open;
  {
    std::lock_guard lock(mutex_);
    was_open = intake_open_now_locked();
    was = std::exchange(reachable_, reachable);
  }
  changed_.notify_all();
  tell_if_closed(was_open);
  return was;
}

void IntakeGate::tell_if_closed(bool was_open) const {
  if (was_open && closed_listener_ && !intake_open()) closed_listener_();
}

bool IntakeGate::gateway_reachable() const {
  std::lock_guard lock(mutex_);
  return reachable_;
}

void IntakeGate::record_success(const Permit& permit) {
  {
    std::lock_guard lock(mutex_);
    if (permit.probe) probe_out_ = false;
    consecutive_failures_ = 0;
    state_ = BreakerState::closed;
  }
  changed_.notify_all();
}

void IntakeGate::record_retryable_failure(const Permit& permit, std::optional<milliseconds> retry_after) {
  bool was_open;
  {
    std::lock_guard lock(mutex_);
    was_open = intake_open_now_locked();
    ++consecutive_failures_;
    if (permit.probe) {
      probe_out_ = false;
      open_locked(retry_after);
    } else if (state_ == BreakerState::closed && consecutive_failures_ >= settings_.threshold) {
      open_locked(retry_after);
    }
  }
  changed_.notify_all();
  tell_if_closed(was_open);
}

void IntakeGate::record_neutral(const Permit& permit) {
  if (!permit.probe) return;
  {
    std::lock_guard lock(mutex_);
    probe_out_ = false;
  }
  changed_.notify_all();
}

void IntakeGate::open_locked(std::optional<milliseconds> retry_after) {
  state_ = BreakerState::open;
  reopen_at_ = now_() + std::max(settings_.cooldown, retry_after.value_or(milliseconds(0)));
}

BreakerState IntakeGate::state() const {
  std::lock_guard lock(mutex_);
  if (state_ == BreakerState::open && now_() >= reopen_at_) return BreakerState::half_open;
  return state_;
}

bool IntakeGate::intake_open() const {
  std::lock_guard lock(mutex_);
  return intake_open_now_locked();
}

// intake_open_locked() with an open breaker whose cooldown has passed counted as half-open.
bool IntakeGate::intake_open_now_locked() const {
  if (stopped_ || !reachable_) return false;
  if (state_ == BreakerState::open) return now_() >= reopen_at_ && !probe_out_;
  return intake_open_locked();
}

void IntakeGate::stop() {
  bool was_open;
  {
    std::lock_guard lock(mutex_);
    was_open = intake_open_now_locked();
    stopped_ = true;
  }
  changed_.notify_all();
  tell_if_closed(was_open);
}

}  // namespace rt::bridge
