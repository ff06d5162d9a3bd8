// The bridge's monitor: gateway health, Redis health, consumer state, heartbeats (docs/contract.md §4, §8).
#include "roundtable/bridge/bridge.hpp"
#include "roundtable/bridge/bridge_metrics.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::bridge {

using nlohmann::json;
using std::chrono::milliseconds;

json Bridge::consumer_states() {
  json states = json::array();
  std::lock_guard lock(setup_mutex_);
  if (!js_ || !connection_ || !connection_->connected() || !consumers_bound_) return states;
  for (const auto& consumer : consumers_) {
    auto state = js_->consumer_state(contract::kTasksStream, consumer.name);
    if (!state) continue;
    states.push_back({{"name", consumer.name}, {"pending", state->pending}, {"ackPending", state->ack_pending},
                      {"redelivered", state->redelivered}});
    metrics_.set(metric::consumer_pending, static_cast<double>(state->pending), {{"consumer", consumer.name}});
    metrics_.set(metric::consumer_ack_pending, static_cast<double>(state->ack_pending), {{"consumer", consumer.name}});
  }
  return states;
}

void Bridge::publish_heartbeat() {
  Readiness r = readiness();
  contract::Heartbeat heartbeat;
  heartbeat.status = r.heartbeat_status();
  heartbeat.uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_at_).count();
  heartbeat.capabilities = config_.capabilities;
  heartbeat.active_task_count = in_flight_.load();
  heartbeat.model = config_.model;
  heartbeat.version = RT_VERSION;
  heartbeat.gateway = r.gateway_healthy ? "up" : "down";
  json payload = contract::to_json(heartbeat);
  payload["breaker"] = std::string(breaker_state_name(r.breaker));
  payload["intake"] = intake_open() ? "open" : "paused";
  payload["consumers"] = consumer_states();
  payload["domains"] = config_.domains;
  payload["agent"] = config_.agent;
  payload["instance"] = instance_;
  // The registry first: whoever sees this heartbeat on the bus finds the registry written too.
  if (redis_) {
    std::string prefix = "rt:" + config_.fleet + ":";
    json entry = payload;
    entry["lastHeartbeat"] = format_rfc3339(clock_.now());
    redis_->hset(prefix + "agents", config_.agent, entry.dump());
    redis_->set(prefix + "alive:" + config_.agent, instance_, config_.heartbeat_interval * 3);
  }
  if (outbox_ && r.nats_connected) {
    auto status = outbox_->publish_heartbeat(payload);
    if (!status && config_.streams_auto_create) {
      // The heartbeat stream lives in memory: a restarted single nats-server comes back without it.
      for (const auto& spec : contract::contract_streams(config_.stream_replicas))
        if (spec.name == contract::kHeartbeatStream) js_->apply_stream(spec);
      status = outbox_->publish_heartbeat(payload);
    }
    if (!status) logger_.warn("heartbeat.publish_failed", {{"error", status.error().message}});
  }
}

// Probes the gateway and Redis every couple of seconds; heartbeats every HEARTBEAT_INTERVAL.
void Bridge::monitor_loop() {
  const auto tick = std::min(milliseconds(1000), config_.heartbeat_interval);
  auto next_heartbeat = std::chrono::steady_clock::now();
  do {
    bool healthy = gateway_->healthy();
    if (healthy != gate_.set_gateway_reachable(healthy)) {
      json fields = {{"url", redact_url(config_.gateway_url)}};
      if (auto reason = gateway_->not_ready_reason(); reason && !healthy) fields["reason"] = *reason;
      logger_.info(healthy ? "gateway.up" : "gateway.down", fields);
    }
    if (redis_) redis_->ping();
    if (consumers_bound_ && std::chrono::steady_clock::now() >= next_heartbeat) {
      publish_heartbeat();
      next_heartbeat = std::chrono::steady_clock::now() + config_.heartbeat_interval;
    }
  } while (!wait_stop_for(tick));
}

}  // namespace rt::bridge
