#include "roundtable/http/call_deadline.hpp"

namespace rt::http {

CallDeadline::CallDeadline(httplib::Client& client, std::chrono::steady_clock::time_point deadline)
    : watch_([this, &client, deadline] {
        std::unique_lock lock(mutex_);
        if (finished_.wait_until(lock, deadline, [this] { return done_; })) return;
        expired_ = true;
        client.stop();
      }) {}

CallDeadline::~CallDeadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  finished_.notify_all();
  watch_.join();
}

}  // namespace rt::http
