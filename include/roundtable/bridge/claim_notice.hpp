#pragma once
// task.claimed for one delivery (docs/contract.md §3): published at most once, and only for a
// gateway call that is not answered at once. A call's answer that has not begun within `after`
// of the request being written (the client's wait, answer_wait.hpp), a first progress line, or
// the end of a call that lasted `after` or longer publishes it; `after` 0 publishes it as soon as
// the request is written.
#include <chrono>
#include <functional>
#include <utility>

#include "roundtable/common/time.hpp"

namespace rt::bridge {

class ClaimNotice {
 public:
  ClaimNotice(const Clock& clock, std::function<void()> publish) : clock_(clock), publish_(std::move(publish)) {}

  // Before each call of the delivery (a call that could not connect is made again): how long
  // this one may go unanswered without a notice.
  void start_call(std::chrono::milliseconds after) {
    after_ = after;
    sent_at_ = clock_.steady_now();
  }
  std::chrono::milliseconds after() const { return after_; }

  // The request is written in full.
  void request_sent() {
    sent_at_ = clock_.steady_now();
    if (after_.count() == 0) publish();
  }
  // The gateway is known to take its time: its answer has not begun, or it reports progress.
  void publish() {
    if (!std::exchange(published_, true)) publish_();
  }
  // The call ended (answered, failed or timed out) after reaching the gateway.
  void call_ended() {
    if (clock_.steady_now() - sent_at_ >= after_) publish();
  }
  bool published() const { return published_; }

 private:
  const Clock& clock_;
  std::function<void()> publish_;
  std::chrono::milliseconds after_{0};
  std::chrono::steady_clock::time_point sent_at_{};
  bool published_ = false;
};

}  // namespace rt::bridge
