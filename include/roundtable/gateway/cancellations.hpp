#pragma once
// Tasks the bridge asked the gateway to stop (POST /tasks/<id>/cancel, docs/contract.md §5):
// the agent loop polls it between turns and tool calls; a running skill is killed through the
// watch it registers. Bounded: the oldest marks are forgotten first.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>

namespace rt::gateway {

class Cancellations {
 public:
  // Marks the task cancelled and runs the kills registered for it.
  void cancel(const std::string& task_id);
  bool cancelled(const std::string& task_id) const;

  // While a Watch lives, a cancel of its task runs `on_cancel` (at once when already cancelled).
  class Watch {
   public:
    Watch() = default;
    Watch(Cancellations* owner, std::string task_id, uint64_t token) : owner_(owner), task_id_(std::move(task_id)), token_(token) {}
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    Watch(Watch&& other) noexcept : owner_(other.owner_), task_id_(std::move(other.task_id_)), token_(other.token_) { other.owner_ = nullptr; }
    Watch& operator=(Watch&&) = delete;

   private:
    Cancellations* owner_ = nullptr;
    std::string task_id_;
    uint64_t token_ = 0;
  };
  Watch watch(const std::string& task_id, std::function<void()> on_cancel);

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> cancelled_;
  std::deque<std::string> order_;
  std::multimap<std::string, std::pair<uint64_t, std::function<void()>>> watches_;
  uint64_t next_token_ = 1;
};

}  // namespace rt::gateway
