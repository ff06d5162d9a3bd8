#pragma once
// Runs against bridges under test: the driver publishes tasks as a lead would and watches the
// results on a core subscription to <fleet>.results.<domain>.>.
#include <sys/types.h>

#include <string>
#include <vector>

#include "bridge_instance.hpp"
#include "nats_c.hpp"
#include "run_result.hpp"
#include "task_factory.hpp"

namespace rt::bench {

class Lead {
 public:
  Lead(const std::string& nats_url, const BridgeSpec& spec, const std::string& domain, size_t input_bytes = 0);
  // Publishes the next task (acked by the stream).
  void publish();
  // Waits for the result of the last published task.
  void await_last_result();
  // Waits for any n results.
  void await_results(int n);
  const TaskFactory& tasks() const { return tasks_; }

 private:
  void check_first(const std::string& payload);
  NatsClient client_;
  TaskFactory tasks_;
  CoreSubscription results_;
  bool checked_ = false;
  bool expect_completed_;
  std::string label_;
  std::string payload_;
};

// The next task is published only after the previous result arrived; p50 is publish start ->
// result received.
RunResult run_one_at_a_time(BridgeInstance& bridge, Lead& lead, int n, pid_t server_pid);
// The bridges are paused (SIGSTOP) while n tasks are published, then resumed: the time and CPU
// from resume to the n-th result. CPU is summed over the bridges (replicas).
RunResult run_backlog(const std::vector<BridgeInstance*>& bridges, Lead& lead, int n, pid_t server_pid);

}  // namespace rt::bench
