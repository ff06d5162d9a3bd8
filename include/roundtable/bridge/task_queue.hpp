#pragma once
// The bridge's local queue: critical > high > normal > low, FIFO within a level.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

#include "roundtable/contract/envelope.hpp"

namespace rt::bridge {

template <typename Item>
class PriorityQueue {
 public:
  void push(contract::Priority priority, Item item) {
    {
      std::lock_guard lock(mutex_);
      levels_[static_cast<size_t>(priority)].push_back(std::move(item));
    }
    ready_.notify_one();
  }

  // Blocks until an item is there or close() was called (then nullopt).
  std::optional<Item> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return closed_ || size_locked() > 0; });
    return take_locked();
  }

  std::optional<Item> try_pop() {
    std::lock_guard lock(mutex_);
    return take_locked();
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return size_locked();
  }

  // Wakes every waiting pop(); later pops return what is left, then nullopt.
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
  std::array<std::deque<Item>, 4> levels_;  // indexed by Priority
  bool closed_ = false;
};

}  // namespace rt::bridge
