#pragma once
// Stops an httplib client's request in progress once its deadline passes. httplib's timeouts
// bound each read, so an answer that keeps trickling in (a byte a second) would otherwise run
// past any timeout the caller promised; stop() shuts the socket and the request fails at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <httplib.h>

namespace rt::http {

class CallDeadline {
 public:
  CallDeadline(httplib::Client& client, std::chrono::steady_clock::time_point deadline);
  ~CallDeadline();  // the call is over: the watch ends
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  // True when the deadline passed and the call was stopped.
  bool expired() const { return expired_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::atomic<bool> expired_{false};
  std::thread watch_;
};

}  // namespace rt::http
