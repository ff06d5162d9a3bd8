#pragma once
// Decides when the bridge may take work: never while the gateway is unreachable, and never
// while the circuit breaker is open after consecutive retryable failures (docs/contract.md §3).
// Tasks wait in the stream meanwhile, their delivery count untouched.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace rt::bridge {

enum class BreakerState { closed = 0, open = 1, half_open = 2 };
std::string_view breaker_state_name(BreakerState state);

struct BreakerSettings {
  int threshold = 5;                            // consecutive retryable failures that open it
  std::chrono::milliseconds cooldown{30'000};   // open -> half-open (one probe task)
};

class IntakeGate {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;
  explicit IntakeGate(BreakerSettings settings, SteadyNow now = &std::chrono::steady_clock::now);

  // A permission to call the gateway with one task; a probe decides the half-open breaker.
  struct Permit {
    bool probe = false;
  };
  // Blocks until a task may go to the gateway; nullopt once stop() was called.
  std::optional<Permit> wait_for_turn();
  // True when wait_for_turn() would grant a turn without waiting (the breaker closed, the gateway
  // reachable).
  bool turn_is_free() const;
  // Fetchers ask before pulling more work; blocks up to `limit`, true when intake is open.
  bool wait_until_intake_open(std::chrono::milliseconds limit);

  // The gateway's own health (probe of /health, or a refused connection); unknown counts as
  // unreachable until the first probe. Returns the previous value.
  bool set_gateway_reachable(bool reachable);
  bool gateway_reachable() const;

  // Outcome of a task the permit was used for.
  void record_success(const Permit& permit);
  void record_retryable_failure(const Permit& permit, std::optional<std::chrono::milliseconds> retry_after);
  // A permanent failure says nothing about the gateway's health; it frees a probe slot.
  void record_neutral(const Permit& permit);

  BreakerState state() const;
  bool intake_open() const;
  void stop();
  // Called (on the thread that closed it) each time intake goes from open to closed, so that
  // the intake can withdraw its standing pull requests at once. Set before use.
  void on_intake_closed(std::function<void()> listener) { closed_listener_ = std::move(listener); }

 private:
  void tell_if_closed(bool was_open) const;
  void refresh_locked();
  bool intake_open_locked() const;
  bool turn_is_free_locked() const { return !stopped_ && reachable_ && state_ == BreakerState::closed; }
  bool intake_open_now_locked() const;
  void open_locked(std::optional<std::chrono::milliseconds> retry_after);

  BreakerSettings settings_;
  SteadyNow now_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  BreakerState state_ = BreakerState::closed;
  bool reachable_ = false;
  bool probe_out_ = false;
  bool stopped_ = false;
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point reopen_at_{};
  std::function<void()> closed_listener_;
};

}  // namespace rt::bridge
