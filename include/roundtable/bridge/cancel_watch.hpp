#pragma once
// Cancels as the bridge sees them (docs/contract.md §1 `<fleet>.cancel.<task-id>`): the stored
// cancel of a task is looked up when it is fetched, and a core subscription on `<fleet>.cancel.>`
// tells the replica holding a running task to stop its gateway call. Every replica subscribes;
// one that does not hold the task only remembers the cancel.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "roundtable/common/log.hpp"
#include "roundtable/common/result.hpp"
#include "roundtable/contract/cancel.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::bridge {

class CancelWatch {
 public:
  CancelWatch(nats::Connection& connection, nats::JetStream& js, std::string fleet, Logger logger);
  ~CancelWatch();
  CancelWatch(const CancelWatch&) = delete;
  CancelWatch& operator=(const CancelWatch&) = delete;

  // Subscribes to the fleet's cancels; before the first fetch, so none is missed while a task runs.
  // Then, in the background, reads what ROUNDTABLE_CANCELS already holds (again after a reconnect).
  Status start();
  // The task's cancel: one seen on the subscription or read at start; else, while not every
  // stored cancel is known here, the one stored in ROUNDTABLE_CANCELS. nullopt when there is
  // none (or the stream cannot be read: the task then runs).
  std::optional<contract::CancelRequest> lookup(const std::string& task_id);

  // While a Hold lives, a cancel of its task runs `on_cancel` once (on the NATS thread); at once
  // when the cancel was already seen. cancelled() tells whether it ran.
  class Hold {
   public:
    Hold() = default;
    Hold(CancelWatch* watch, std::string task_id, uint64_t token);
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept = delete;
    bool cancelled() const;

   private:
    CancelWatch* watch_ = nullptr;
    std::string task_id_;
    uint64_t token_ = 0;
  };
  Hold hold(const std::string& task_id, std::function<void()> on_cancel);

 private:
  struct Holder {
    uint64_t token = 0;
    std::function<void()> on_cancel;
    bool fired = false;
  };
  void on_message(const nats::Message& message);
  void remember(const contract::CancelRequest& cancel);
  void release(const std::string& task_id, uint64_t token);
  bool fired(const std::string& task_id, uint64_t token) const;
  // Every stored cancel is known here: read since the last reconnect, and seen live since.
  bool knows_all() const;
  void keep_complete();
  bool load_stored();
  std::optional<contract::CancelRequest> look_up_stored(const std::string& task_id);

  nats::Connection& connection_;
  nats::JetStream& js_;
  std::string fleet_;
  Logger logger_;
  nats::Subscription subscription_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, contract::CancelRequest> seen_;
  std::deque<std::string> seen_order_;  // oldest first: the set is bounded
  std::multimap<std::string, Holder> holders_;
  uint64_t next_token_ = 1;

  static constexpr uint64_t kNotLoaded = ~uint64_t{0};
  std::atomic<uint64_t> loaded_at_reconnect_{kNotLoaded};  // Connection::reconnects() when the stream was read
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread loader_;
};

}  // namespace rt::bridge
