#pragma once
// Standing pull requests on durable JetStream consumers, all answered to one inbox.
//
// A fetch per task costs the server and the client two pull requests (a no-wait request, then a
// waiting one). Here one request asks for a batch and stays open until it is served or expires,
// so one request serves many tasks; idle heartbeats tell a live request from one the server lost
// (a restart or a leader change), which is then asked for again. Used from one thread.
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "roundtable/common/result.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/message.hpp"
#include "roundtable/nats/redelivery_guard.hpp"

namespace rt::nats {

struct PullFeedSettings {
  std::chrono::milliseconds expires{30'000};
  std::chrono::milliseconds heartbeat{1'000};
  // A request not heard from (no message, no heartbeat) for this many heartbeats is taken as lost.
  int missed_heartbeats = 3;
};

class PullFeed {
 public:
  struct Target {
    std::string stream;
    std::string consumer;
  };
  struct Delivery {
    size_t target = 0;
    Message message;
  };

  static Result<std::unique_ptr<PullFeed>> open(Connection& connection, std::vector<Target> targets, PullFeedSettings settings = {});
  ~PullFeed();
  PullFeed(const PullFeed&) = delete;
  PullFeed& operator=(const PullFeed&) = delete;

  size_t size() const { return targets_.size(); }
  const Target& target(size_t index) const { return targets_[index].target; }
  // Messages asked for on this target and not delivered yet; 0 when no request is open.
  int outstanding(size_t index) const { return targets_[index].outstanding; }
  // Idle heartbeats received: the server keeping open requests alive.
  uint64_t heartbeats() const { return heartbeats_; }
  // What every nak of a message from this feed goes through (redelivery_guard.hpp).
  std::shared_ptr<const RedeliveryGuard> redelivery_guard() const { return guard_; }
  // Opens a request for `batch` messages; only when none is open on this target. Never on an
  // inbox wake() drained: the server would count what it sends there as delivered.
  Status request(size_t index, int batch);
  // The next task message, waiting at most `wait`; nullopt when none came. Heartbeats and the
  // end of a request are taken in here; a request the server refused is an error.
  Result<std::optional<Delivery>> next(std::chrono::milliseconds wait);
  // Makes a next() waiting on another thread return soon (nullopt): the inbox is drained, so the
  // open requests are withdrawn too; what was already sent still comes out of next(). Safe from
  // any thread.
  void wake();
  // Withdraws every open request: the inbox is dropped (the server drops requests nobody listens
  // to) and a fresh one is taken. Returns what the server had already sent: the caller settles
  // those (nothing may wait out an ack wait unseen).
  Result<std::vector<Message>> withdraw(std::chrono::milliseconds wait);
  // Withdraws for good, at shutdown.
  std::vector<Message> close(std::chrono::milliseconds wait);

 private:
  struct TargetState {
    Target target;
    std::string reply;         // <inbox>.<index>
    std::string ack_marker;    // ".<stream>.<consumer>." inside a $JS.ACK reply subject
    int outstanding = 0;
    std::chrono::steady_clock::time_point last_heard{};
  };
  PullFeed(Connection& connection, PullFeedSettings settings) : connection_(connection), settings_(settings) {}
  Status subscribe_fresh_inbox();
  Status finish_drain();
  Status on_status(const Message& message, std::string_view code);
  std::optional<size_t> target_of_reply(std::string_view ack_reply) const;
  std::optional<size_t> target_of_inbox(std::string_view subject) const;
  void forget_lost_requests();
  bool draining();

  Connection& connection_;
  PullFeedSettings settings_;
  std::string inbox_;
  std::mutex wake_mutex_;     // guards subscription_ against wake() on other threads
  bool interrupted_ = false;  // the inbox is draining (wake or close): guarded by wake_mutex_
  std::vector<TargetState> targets_;
  Subscription subscription_;
  std::deque<Delivery> early_;  // read out of a drained inbox by finish_drain(), for next()
  std::shared_ptr<RedeliveryGuard> guard_;
  uint64_t reconnects_seen_ = 0;
  uint64_t heartbeats_ = 0;
};

}  // namespace rt::nats
