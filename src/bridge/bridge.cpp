#include "roundtable/bridge/bridge.hpp"

#include <unistd.h>

#include <algorithm>
#include <future>

#include "health_server.hpp"
#include "roundtable/bridge/bridge_metrics.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/http/listen_announce.hpp"

namespace rt::bridge {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kRetryPause{500};
// Kept from the shutdown budget for handing work back, knight.offline and the drain.
constexpr milliseconds kShutdownReserve{900};

std::string make_instance_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "/" + std::to_string(::getpid());
}

}  // namespace

std::string Bridge::Readiness::heartbeat_status() const {
  if (!nats_connected || !consumers_bound || !gateway_healthy || !gateway_auth_ok) return "unhealthy";
  if (!redis_configured || !redis_up || breaker != BreakerState::closed) return "degraded";
  return "healthy";
}

Bridge::Bridge(BridgeConfig config, Logger logger, std::unique_ptr<GatewayClient> gateway)
    : config_(std::move(config)),
      logger_(std::move(logger)),
      gateway_(std::move(gateway)),
      gate_(BreakerSettings{config_.breaker_threshold, config_.breaker_cooldown}),
      instance_(make_instance_name()) {
  register_bridge_metrics(metrics_);
  gate_.on_intake_closed([this] { wake_intake(); });  // it withdraws its pull requests now, not at its next wake-up
  exporter_ = std::make_unique<trace::Exporter>(config_.tracing, logger_, &metrics_, "roundtable_bridge_spans_dropped_total");
  if (!gateway_)
    gateway_ = config_.gateway_mode == GatewayMode::openai ? make_openai_client(config_) : make_webhook_client(config_);
  if (config_.redis_url) {
    auto url = redis::parse_redis_url(*config_.redis_url);
    if (url) redis_ = std::make_unique<redis::Client>(*url, logger_.with({{"component", "redis"}}));
  }
  HealthServer::Probes probes{
      [this] {
        Readiness r = readiness();
        json detail = {{"ready", r.ready()},
                       {"nats", r.nats_connected},
                       {"consumers", r.consumers_bound},
                       {"gateway", r.gateway_healthy},
                       {"gatewayAuth", r.gateway_auth_ok},
                       {"breaker", std::string(breaker_state_name(r.breaker))},
                       {"intake", intake_open() ? "open" : "paused"},
                       {"redis", r.redis_configured ? (r.redis_up ? "up" : "down") : "not configured"}};
        if (auto reason = gateway_->not_ready_reason()) detail["gatewayReason"] = *reason;
        return std::pair{r.ready(), detail.dump()};
      },
      [this] { return metrics_text(); }};
  health_ = std::make_unique<HealthServer>(config_.health_host, config_.health_port, probes, logger_.with({{"component", "health"}}));
}

Bridge::~Bridge() {
  request_stop();
  workers_.close_and_join();
  for (auto& t : services_)
    if (t.joinable()) t.join();
}

Bridge::Readiness Bridge::readiness() const {
  Readiness r;
  {
    std::lock_guard lock(setup_mutex_);
    r.nats_connected = connection_ && connection_->connected();
  }
  r.breaker = gate_.state();
  r.consumers_bound = consumers_bound_.load();
  r.gateway_healthy = gate_.gateway_reachable();
  r.gateway_auth_ok = gateway_state_.auth_ok.load();
  r.redis_configured = redis_ != nullptr;
  r.redis_up = redis_ && redis_->healthy();
  return r;
}

std::string Bridge::metrics_text() {
  Readiness r = readiness();
  metrics_.set(metric::nats_connected, r.nats_connected ? 1 : 0);
  metrics_.set(metric::gateway_up, r.gateway_healthy ? 1 : 0);
  metrics_.set(metric::redis_up, r.redis_up ? 1 : 0);
  metrics_.set(metric::ready, r.ready() ? 1 : 0);
  metrics_.set(metric::breaker_state, static_cast<double>(static_cast<int>(r.breaker)));
  metrics_.set(metric::intake_paused, intake_open() ? 0 : 1);
  metrics_.set(metric::in_flight, in_flight_.load());
  metrics_.set(metric::queued, static_cast<double>(queue_.size()));
  consumer_states();  // refreshes the consumer gauges at scrape time
  return metrics_.render();
}

void Bridge::request_stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  {
    // The intake's leader checks stopping_ under held_mutex_ before it sleeps: taking it here
    // means the wakeup below cannot fall between that check and the sleep.
    std::lock_guard lock(held_mutex_);
  }
  slot_freed_.notify_all();
  gate_.stop();
  queue_.stop_leading();
  wake_intake();
}

void Bridge::wake_intake() {
  std::lock_guard lock(feed_mutex_);
  if (feed_) feed_->wake();
}

bool Bridge::wait_stop_for(milliseconds duration) {
  std::unique_lock lock(stop_mutex_);
  return stop_cv_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

int Bridge::run() {
  if (!health_->start()) {
    logger_.error("bridge.health_port_unavailable", {{"port", config_.health_port}});
    return 1;
  }
  if (auto announced = http::announce_listening(stdout, config_.health_host, health_->port(), config_.health_port_file); !announced) {
    logger_.error("bridge.port_file_failed", {{"setting", "HEALTH_PORT_FILE"}, {"error", announced.error().message}});
    return 1;
  }
  auto connection = nats::Connection::connect(config_.nats, logger_.with({{"component", "nats"}}));
  if (!connection) {
    std::fprintf(stderr, "nats-bridge: NATS refused the connection (check NATS_URL, NATS_USER/NATS_PASSWORD, NATS_TOKEN, "
                 "NATS_CREDS, NATS_TLS_*): %s\n", connection.error().message.c_str());
    return 2;
  }
  {
    std::lock_guard lock(setup_mutex_);
    connection_ = std::move(*connection);
  }
  services_.emplace_back([this] { monitor_loop(); });
  try {
    if (!connect_and_bind()) {
      shut_down();
      return 0;
    }
  } catch (const config::ConfigError& error) {
    std::fprintf(stderr, "nats-bridge: %s\n", error.what());
    logger_.error("bridge.config_error", {{"setting", error.setting()}, {"error", error.what()}});
    request_stop();
    for (auto& t : services_) t.join();
    services_.clear();
    return 2;
  }
  outbox_->publish_event(contract::type::knight_online, {{"agent", config_.agent}, {"domains", config_.domains},
                                                          {"capabilities", config_.capabilities}, {"instance", instance_},
                                                          {"version", RT_VERSION}});
  gate_.set_gateway_reachable(gateway_->healthy());  // ready at once, not at the monitor's next tick
  start_workers();
  logger_.info("bridge.started", {{"domains", config_.domains}, {"max_concurrency", config_.max_concurrency}});
  {
    std::unique_lock lock(stop_mutex_);
    stop_cv_.wait(lock, [this] { return stopping_.load(); });
  }
  shut_down();
  return 0;
}

// Waits for NATS, applies streams, binds one consumer per domain; retries until stopped.
bool Bridge::connect_and_bind() {
  while (!stopping_) {
    if (connection_->closed() && !connection_->connected())
      throw config::ConfigError("NATS_URL", "NATS refused the connection: " + connection_->last_error() +
                                                " (check NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS and NATS_TLS_*)");
    if (!connection_->connected()) {
      wait_stop_for(milliseconds(100));
      continue;
    }
    if (!js_) {
      auto js = nats::JetStream::create(*connection_);
      if (!js) {
        logger_.error("bridge.jetstream_unavailable", {{"error", js.error().message}});
        wait_stop_for(kRetryPause);
        continue;
      }
      std::lock_guard lock(setup_mutex_);
      js_ = std::move(*js);
      outbox_ = std::make_unique<Outbox>(*js_, config_.fleet, config_.agent, logger_);
      dedup_ = std::make_unique<DedupStore>(redis_.get(), config_.fleet, config_.agent, logger_);
      cancels_ = std::make_unique<CancelWatch>(*connection_, *js_, config_.fleet, logger_);
      if (auto watching = cancels_->start(); !watching)
        logger_.error("bridge.cancel_watch_failed", {{"error", watching.error().message}});  // stored cancels still apply at fetch
      processor_ = std::make_unique<TaskProcessor>(config_, *outbox_, *dedup_, *gateway_, metrics_, gateway_state_, gate_, clock_, logger_,
                                                   exporter_.get(), cancels_.get());
    }
    if (bind_consumers()) return true;
    wait_stop_for(kRetryPause * 2);
  }
  return false;
}

bool Bridge::bind_consumers() {
  if (config_.streams_auto_create) {
    // The streams are independent: asked about all at once, start-up waits one round trip, not five.
    const auto specs = contract::contract_streams(config_.stream_replicas);
    std::vector<std::future<Result<nats::StreamApplyReport>>> applying;
    for (const auto& spec : specs) applying.push_back(std::async(std::launch::async, [this, &spec] { return js_->apply_stream(spec); }));
    std::vector<Result<nats::StreamApplyReport>> reports;
    for (auto& apply : applying) reports.push_back(apply.get());
    for (size_t i = 0; i < specs.size(); ++i) {
      const auto& spec = specs[i];
      auto& report = reports[i];
      if (!report) {
        logger_.error("bridge.stream_apply_failed", {{"stream", spec.name}, {"error", report.error().message}});
        return false;
      }
      json fields = {{"stream", spec.name}, {"outcome", std::string(nats::apply_outcome_name(report->outcome))}};
      if (!report->differences.empty()) fields["differences"] = report->differences;
      if (report->outcome == nats::ApplyOutcome::mismatch) logger_.error("bridge.stream_mismatch", fields);
      else logger_.info("bridge.stream_applied", fields);
    }
  }
  std::vector<BoundConsumer> bound;
  std::vector<nats::PullFeed::Target> targets;
  for (const auto& domain : config_.domains) {
    // One delivery more than MAX_DELIVER: a bridge that died holding the last attempt leaves the
    // task to be dead-lettered by the next one instead of retired silently by the server.
    nats::ConsumerSpec spec{contract::kTasksStream, *contract::consumer_name(config_.fleet, config_.agent, domain),
                            *contract::consumer_filter(config_.fleet, domain), config_.ack_wait, config_.max_deliver + 1, 1000};
    if (auto ensured = js_->ensure_consumer(spec); !ensured) {
      if (ensured.error().code == ErrorCode::config_error) throw config::ConfigError("TASK_DOMAINS", ensured.error().message);
      logger_.error("bridge.bind_failed", {{"consumer", spec.durable}, {"error", ensured.error().message}});
      return false;
    }
    logger_.info("bridge.consumer_bound", {{"consumer", spec.durable}, {"filter", spec.filter_subject}});
    bound.push_back({domain, spec.durable});
    targets.push_back({spec.stream, spec.durable});
  }
  auto feed = nats::PullFeed::open(*connection_, std::move(targets));
  if (!feed) {
    logger_.error("bridge.bind_failed", {{"error", feed.error().message}});
    return false;
  }
  {
    std::lock_guard feed_lock(feed_mutex_);
    feed_ = std::move(*feed);
  }
  std::lock_guard lock(setup_mutex_);
  consumers_ = std::move(bound);
  consumers_bound_ = true;
  return true;
}

// One worker to lead the intake; the rest start when there is work for them (worker_pool.hpp).
void Bridge::start_workers() {
  workers_.add();
  services_.emplace_back([this] { keeper_loop(); });
}

void Bridge::release(const HeldTaskPtr& task) {
  {
    std::lock_guard lock(held_mutex_);
    held_.erase(std::remove(held_.begin(), held_.end(), task), held_.end());
  }
  slot_freed_.notify_all();
}

// In-progress acks for everything held, every ack-wait/3, so long work is never redelivered.
void Bridge::keeper_loop() {
  const auto interval = std::max(milliseconds(100), config_.ack_wait / 3);
  while (!wait_stop_for(interval)) {
    // With every worker busy nobody leads: what the open requests delivered meanwhile waits in
    // the inbox, its ack wait running. Reading it here makes it held, and so kept alive.
    if (queue_.try_lead()) {
      queue_.end_lead_queueing(lead_intake(milliseconds(0)));
      start_wanted_workers();
    }
    std::vector<HeldTaskPtr> snapshot;
    {
      std::lock_guard lock(held_mutex_);
      snapshot = held_;
    }
    for (auto& task : snapshot) task->keep_alive();
  }
}

// Everything below fits in SHUTDOWN_GRACE + 1 s, the budget a pod's termination grace is sized
// for: in-flight work gets the grace, the hand-back, knight.offline and the drain share the rest.
void Bridge::shut_down() {
  request_stop();
  const auto exit_by = std::chrono::steady_clock::now() + config_.shutdown_grace + milliseconds(1000);
  auto left = [&](milliseconds cap) {
    auto remaining = std::chrono::duration_cast<milliseconds>(exit_by - std::chrono::steady_clock::now());
    return std::clamp(remaining, milliseconds(0), cap);
  };
  logger_.info("bridge.stopping", {{"in_flight", in_flight_.load()}, {"queued", queue_.size()}});
  queue_.stop_leading();
  queue_.wait_lead_ended();
  hand_back_stragglers();
  while (auto task = queue_.try_pop()) {  // not started: give back at once for another replica
    (*task)->nak(milliseconds(0));
    release(*task);
  }
  queue_.close();
  if (processor_) processor_->stop_retrying();
  {
    std::unique_lock lock(stop_mutex_);
    auto grace_ends = exit_by - kShutdownReserve;
    stop_cv_.wait_until(lock, grace_ends, [this] { return workers_running_.load() == 0; });
  }
  bool workers_done = workers_running_.load() == 0;
  if (!workers_done) {
    std::vector<HeldTaskPtr> snapshot;
    {
      std::lock_guard lock(held_mutex_);
      snapshot = held_;
    }
    for (auto& task : snapshot) task->nak(milliseconds(0));
    logger_.warn("bridge.grace_expired", {{"handed_back", snapshot.size()}});
  }
  if (outbox_) {
    outbox_->publish_event(contract::type::knight_offline, {{"agent", config_.agent}, {"instance", instance_},
                                                             {"reason", "shutdown"}});
    outbox_->flush_events(left(milliseconds(500)));
  }
  for (auto& t : services_) t.join();
  services_.clear();
  health_->stop();
  if (connection_) connection_->drain(left(milliseconds(500)));
  logger_.info("bridge.stopped");
  if (!workers_done) {
    // A worker is still blocked on the gateway; its message was handed back. Leave now.
    std::fflush(nullptr);
    ::_exit(0);
  }
  workers_.close_and_join();
}

}  // namespace rt::bridge
