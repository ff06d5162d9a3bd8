#pragma once
#include "roundtable/http/metrics.hpp"

namespace rt::bridge {

// Metric names the bridge exposes on /metrics.
namespace metric {
inline constexpr const char* tasks = "roundtable_bridge_tasks_total";
inline constexpr const char* duration = "roundtable_bridge_task_duration_seconds";
inline constexpr const char* in_flight = "roundtable_bridge_tasks_in_flight";
inline constexpr const char* queued = "roundtable_bridge_tasks_queued";
inline constexpr const char* redeliveries = "roundtable_bridge_redeliveries_total";
inline constexpr const char* gateway_up = "roundtable_bridge_gateway_up";
inline constexpr const char* nats_connected = "roundtable_bridge_nats_connected";
inline constexpr const char* redis_up = "roundtable_bridge_redis_up";
inline constexpr const char* ready = "roundtable_bridge_ready";
inline constexpr const char* consumer_pending = "roundtable_bridge_consumer_pending";
inline constexpr const char* consumer_ack_pending = "roundtable_bridge_consumer_ack_pending";
inline constexpr const char* breaker_state = "roundtable_bridge_breaker_state";
inline constexpr const char* intake_paused = "roundtable_bridge_intake_paused";
}  // namespace metric

// Outcome label values of roundtable_bridge_tasks_total.
namespace outcome {
inline constexpr const char* completed = "completed";
inline constexpr const char* failed = "failed";
inline constexpr const char* retried = "retried";
inline constexpr const char* rejected = "rejected";
inline constexpr const char* expired = "expired";
inline constexpr const char* deadlettered = "deadlettered";
inline constexpr const char* duplicate = "duplicate";
}  // namespace outcome

void register_bridge_metrics(http::MetricsRegistry& registry);

}  // namespace rt::bridge
