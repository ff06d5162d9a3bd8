#include "roundtable/bridge/bridge_metrics.hpp"

namespace rt::bridge {

void register_bridge_metrics(http::MetricsRegistry& r) {
  r.counter(metric::tasks, "Tasks finished by the bridge, by outcome.");
  for (const char* o : {outcome::completed, outcome::failed, outcome::retried, outcome::rejected, outcome::expired,
                        outcome::deadlettered, outcome::duplicate})
    r.add(metric::tasks, 0, {{"outcome", o}});
  r.histogram(metric::duration, "Time from claim to settlement of a task, in seconds.",
              {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600});
  r.gauge(metric::in_flight, "Tasks posted to the gateway and not yet settled.");
  r.gauge(metric::queued, "Tasks fetched and waiting for a free slot.");
  r.counter(metric::redeliveries, "Task deliveries that were not the first.");
  r.add(metric::redeliveries, 0);
  r.gauge(metric::gateway_up, "1 when the gateway answers its health check.");
  r.gauge(metric::nats_connected, "1 when connected to NATS.");
  r.gauge(metric::redis_up, "1 when Redis answers (0 when not configured).");
  r.gauge(metric::ready, "1 when /readyz answers 200.");
  r.gauge(metric::consumer_pending, "Messages on the consumer not yet delivered.");
  r.gauge(metric::consumer_ack_pending, "Messages delivered and not yet acknowledged.");
  r.gauge(metric::breaker_state, "Circuit breaker on gateway failures: 0 closed, 1 open, 2 half-open.");
  r.gauge(metric::intake_paused, "1 while the bridge takes no new tasks (gateway unreachable or breaker open).");
}

}  // namespace rt::bridge
