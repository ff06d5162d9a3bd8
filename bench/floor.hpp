#pragma once
// The floor: the bridge's JetStream work done by a bare nats.c loop in the driver, no HTTP.
// Per task: publish the task (acked) -> fetch -> publish the result (acked) -> ack.
#include <sys/types.h>

#include <string>
#include <vector>

#include "nats_c.hpp"
#include "run_result.hpp"
#include "task_factory.hpp"

namespace rt::bench {

class Floor {
 public:
  Floor(const std::string& nats_url, pid_t server_pid);
  // The next task is published only after the previous result; p50 is publish start -> result acked.
  RunResult one_at_a_time(int n);
  // The same with a lead of its own, as the bridge runs have: a second connection subscribed to
  // the results, which waits for each result to arrive before the next task is published. Only
  // its nats-server CPU is reported: what the server spends on a lead that hears the answers.
  RunResult one_at_a_time_with_lead(int n);
  // n tasks published first (not timed), then drained with fetches of `batch`.
  RunResult backlog(int n, int batch = 8);

 private:
  void publish_result_and_ack(natsMsg* task);
  RunResult run_one_at_a_time(int n, CoreSubscription* lead);
  NatsClient client_;
  NatsClient lead_;
  TaskFactory tasks_;
  PullSubscription sub_;
  pid_t server_pid_;
  std::string result_;
  uint64_t results_ = 0;
  std::vector<int64_t> samples_;
};

}  // namespace rt::bench
