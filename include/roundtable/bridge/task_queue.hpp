#pragma once
// The bridge's local queue: critical > high > normal > low, FIFO within a level.
//
// It also hands out the intake's lead (leader/followers): an idle worker either takes a queued
// task or, when nobody leads, reads the next tasks from NATS itself and runs the first one, so a
// task goes from the connection's reader to the worker that runs it with no thread in between.
// A leader that read a single task may keep the lead while it runs it, and hand it over only
// before it waits (pass_lead): a task answered at once then costs no other thread a wake-up.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "roundtable/contract/envelope.hpp"

namespace rt::bridge {

template <typename Item>
class PriorityQueue {
 public:
  std::optional<Item> try_pop() {
    std::lock_guard lock(mutex_);
    return take_locked();
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return size_locked();
  }

  enum class Turn { task, lead, closed, none };
  // An item when one is queued; else the lead when nobody has it (the caller reads the intake,
  // then calls end_lead); else waits. `closed` once closed and empty. keeping_lead: the caller
  // kept the lead through its last task (end_lead(..., true)) and reads again at once, unless no
  // lead is handed out any more. finishing_within: the caller has something to finish before it
  // may lead or wait long, and gets `none` instead of the lead, or once nothing came that long.
  std::pair<Turn, std::optional<Item>> pop_or_lead(bool keeping_lead = false,
                                                   std::optional<std::chrono::milliseconds> finishing_within = std::nullopt) {
    std::unique_lock lock(mutex_);
    if (keeping_lead) {
      if (!lead_closed_) {
        reading_ = true;
        return {Turn::lead, std::nullopt};
      }
      led_ = false;
    }
    bool timed_out = false;
    while (true) {
      if (auto item = take_locked()) return {Turn::task, std::move(item)};
      if (closed_) return {Turn::closed, std::nullopt};
      if (!led_ && !lead_closed_) {
        if (finishing_within) return {Turn::none, std::nullopt};
        led_ = reading_ = true;
        return {Turn::lead, std::nullopt};
      }
      if (timed_out) return {Turn::none, std::nullopt};
      ++idle_;
      if (finishing_within) timed_out = ready_.wait_for(lock, *finishing_within) == std::cv_status::timeout;
      else ready_.wait(lock);
      --idle_;
    }
  }

  // How many more workers the queue could use now: one per queued task and one for a free
  // lead, less those waiting here (the bridge starts workers on demand: worker_pool.hpp).
  size_t workers_wanted() const {
    std::lock_guard lock(mutex_);
    size_t wanted = size_locked() + (!led_ && !lead_closed_ && !closed_ ? 1 : 0);
    return wanted > idle_ ? wanted - idle_ : 0;
  }

  // Queues what the leader read and gives up the lead, keeping the first in priority order for
  // the leader itself; wakes one worker to lead next, and one more for each task left queued.
  // keep_lead: the leader stops reading but still holds the lead, for pass_lead or
  // pop_or_lead(true).
  std::optional<Item> end_lead(std::vector<std::pair<contract::Priority, Item>> arrived, bool keep_lead = false) {
    std::optional<Item> mine;
    bool wake_all;
    {
      std::lock_guard lock(mutex_);
      for (auto& [priority, item] : arrived) levels_[static_cast<size_t>(priority)].push_back(std::move(item));
      reading_ = false;
      led_ = keep_lead && !lead_closed_;
      mine = take_locked();
      wake_all = size_locked() > 0 || lead_closed_;
    }
    reading_ended_.notify_all();
    if (wake_all) ready_.notify_all();
    else if (!keep_lead) ready_.notify_one();
    return mine;
  }

  // Gives up a lead kept by end_lead(..., true): one waiting worker takes it.
  void pass_lead() {
    {
      std::lock_guard lock(mutex_);
      led_ = false;
    }
    ready_.notify_one();
  }

  // The lead without waiting, for a caller that is not a worker (it then gives it back with
  // end_lead and runs nothing itself: what it read is queued).
  bool try_lead() {
    std::lock_guard lock(mutex_);
    if (led_ || lead_closed_) return false;
    led_ = reading_ = true;
    return true;
  }
  void end_lead_queueing(std::vector<std::pair<contract::Priority, Item>> arrived) {
    {
      std::lock_guard lock(mutex_);
      for (auto& [priority, item] : arrived) levels_[static_cast<size_t>(priority)].push_back(std::move(item));
      led_ = reading_ = false;
    }
    reading_ended_.notify_all();
    ready_.notify_all();
  }

  // No lead is handed out any more.
  void stop_leading() {
    {
      std::lock_guard lock(mutex_);
      lead_closed_ = true;
    }
    ready_.notify_all();
  }
  // Returns once the current leader (if any) has stopped reading the intake (a lead kept through
  // a task does not read).
  void wait_lead_ended() {
    std::unique_lock lock(mutex_);
    reading_ended_.wait(lock, [this] { return !reading_; });
  }

  // Wakes every waiting pop_or_lead(); later ones return what is left, then `closed`.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  size_t size_locked() const {
    size_t n = 0;
    for (const auto& level : levels_) n += level.size();
    return n;
  }

  std::optional<Item> take_locked() {
    for (size_t i = levels_.size(); i-- > 0;) {
      if (!levels_[i].empty()) {
        Item item = std::move(levels_[i].front());
        levels_[i].pop_front();
        return item;
      }
    }
    return std::nullopt;
  }

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable reading_ended_;
  std::array<std::deque<Item>, 4> levels_;  // indexed by Priority
  bool closed_ = false;
  bool led_ = false;      // someone holds the lead: reading the intake, or keeping it through a task
  bool reading_ = false;  // the lead's holder is reading the intake
  bool lead_closed_ = false;
  size_t idle_ = 0;  // workers waiting in pop_or_lead
};

}  // namespace rt::bridge
