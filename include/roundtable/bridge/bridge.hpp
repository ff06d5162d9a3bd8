#pragma once
// The nats-bridge daemon: connects, binds consumers, runs fetchers, workers, the in-progress
// keeper and the monitor (heartbeats, health), and shuts down without losing a task.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "roundtable/bridge/cancel_watch.hpp"
#include "roundtable/bridge/config.hpp"
#include "roundtable/bridge/dedup_store.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/bridge/held_task.hpp"
#include "roundtable/bridge/intake_gate.hpp"
#include "roundtable/bridge/outbox.hpp"
#include "roundtable/bridge/task_processor.hpp"
#include "roundtable/bridge/task_queue.hpp"
#include "roundtable/bridge/worker_pool.hpp"
#include "roundtable/common/log.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "roundtable/nats/pull_feed.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::bridge {

class HealthServer;

class Bridge {
 public:
  Bridge(BridgeConfig config, Logger logger, std::unique_ptr<GatewayClient> gateway = nullptr);
  ~Bridge();

  // Runs until request_stop(); returns the process exit code (docs/contract.md §9).
  int run();
  void request_stop();

  // Readiness facts for /readyz and heartbeats.
  struct Readiness {
    bool nats_connected = false;
    bool consumers_bound = false;
    bool gateway_healthy = false;
    bool gateway_auth_ok = true;
    bool redis_configured = false;
    bool redis_up = false;
    BreakerState breaker = BreakerState::closed;
    bool ready() const {
      return nats_connected && consumers_bound && gateway_healthy && gateway_auth_ok && breaker != BreakerState::open;
    }
    std::string heartbeat_status() const;
  };
  Readiness readiness() const;
  std::string metrics_text();

 private:
  bool connect_and_bind();
  bool bind_consumers();
  void start_workers();
  void start_wanted_workers() { workers_.add(queue_.workers_wanted()); }
  using Arrivals = std::vector<std::pair<contract::Priority, HeldTaskPtr>>;
  Arrivals lead_intake(std::chrono::milliseconds wait);
  int request_what_fits(int capacity, int share);
  void wait_until_intake_can_ask(int capacity, int share);
  void withdraw_requests();
  void wake_intake();
  // A task that completed, its result's confirmation not read yet (task_processor.hpp): still
  // held, so it still counts against the slots and is kept alive.
  struct Unconfirmed {
    HeldTaskPtr task;
    std::unique_ptr<DeferredCompletion> completion;
  };
  // leading: this worker kept the intake's lead; cleared once it hands it over. previous: the
  // worker's last task, settled here before anything is waited for, or at the end.
  std::optional<Unconfirmed> run_task(const HeldTaskPtr& task, bool& leading, std::optional<Unconfirmed> previous);
  void settle(std::optional<Unconfirmed>& unconfirmed, bool may_retry);
  void settle_before_waiting(std::optional<Unconfirmed>& unconfirmed, bool& leading);
  void hand_over_lead(bool& leading);
  bool intake_open() const { return gate_.intake_open() || asking_.load(); }
  HeldTaskPtr hold(nats::Message message);
  void hand_back_stragglers();
  void work_loop();
  void keeper_loop();
  void monitor_loop();
  void publish_heartbeat();
  void shut_down();
  void release(const HeldTaskPtr& task);
  bool wait_stop_for(std::chrono::milliseconds duration);
  nlohmann::json consumer_states();

  BridgeConfig config_;
  Logger logger_;
  SystemClock clock_;
  http::MetricsRegistry metrics_;
  std::unique_ptr<trace::Exporter> exporter_;  // spans (docs/observability.md)
  std::unique_ptr<GatewayClient> gateway_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::JetStream> js_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<DedupStore> dedup_;
  std::unique_ptr<TaskProcessor> processor_;
  std::unique_ptr<CancelWatch> cancels_;  // docs/contract.md §1 <fleet>.cancel.<task-id>
  std::unique_ptr<HealthServer> health_;
  GatewayState gateway_state_;
  IntakeGate gate_;
  // Guards connection_, js_ and consumers_ while start-up assigns them and probes read them.
  mutable std::mutex setup_mutex_;

  struct BoundConsumer {
    std::string domain;
    std::string name;
  };
  std::vector<BoundConsumer> consumers_;
  std::unique_ptr<nats::PullFeed> feed_;  // standing pull requests on every consumer
  std::mutex feed_mutex_;                  // guards feed_ against wake_intake() on other threads
  std::atomic<bool> asking_{false};        // a pull request is open: intake is not paused yet
  std::vector<nats::Message> withdrawn_;  // in flight when the requests were withdrawn (leader only)
  std::atomic<bool> intake_error_logged_{false};
  std::atomic<bool> consumers_bound_{false};

  PriorityQueue<HeldTaskPtr> queue_;
  std::mutex held_mutex_;
  std::condition_variable slot_freed_;
  std::vector<HeldTaskPtr> held_;  // queued, in flight, and completed but not yet confirmed
  int unconfirmed_ = 0;            // of held_, completed: they take no slot (guarded by held_mutex_)
  int slots_taken_locked() const { return static_cast<int>(held_.size()) - unconfirmed_; }
  // A task that is no longer in flight but still held: its slot is free for the intake.
  void mark_unconfirmed();
  std::atomic<int> in_flight_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> workers_running_{0};
  WorkerPool workers_{config_.max_concurrency, [this] { work_loop(); }};
  std::vector<std::thread> services_;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  std::string instance_;
  mutable std::mutex consumer_state_mutex_;
  nlohmann::json last_consumer_states_ = nlohmann::json::array();
};

}  // namespace rt::bridge
