#pragma once
// A bridge under test: any command speaking the contract's subjects, started by the driver with
// the standard environment (the one tests/fixtures/bridge_harness.cpp gives nats-bridge, at
// production defaults: LOG_LEVEL=info, 30 s heartbeat) plus the caller's own settings.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "spawn.hpp"
#include "stats.hpp"

namespace rt::bench {

struct BridgeSpec {
  std::string label;              // "bridge", or the other bridge's name in the table
  std::vector<std::string> argv;  // {nats_url} {gateway_url} {health_port} {domain} {agent} {fleet} are replaced
  EnvMap env;                     // the same placeholders; wins over the standard environment
  std::string ready_path = "/readyz";
  std::string domain;             // each bridge its own: work-queue consumers must not overlap
  std::string agent;
  // A first result that is not `completed` stops the run (the bridge is misconfigured); off for
  // another bridge whose answers may look different: then it is only shown on stderr.
  bool expect_completed = true;
};

struct BridgeSite {
  std::string nats_url;
  std::string gateway_url;
  int max_concurrency = 8;
  std::string domain;  // task domain (TASK_DOMAINS)
  std::string agent;   // AGENT_ID: replicas share it, and so the durable consumer
};

class BridgeInstance {
 public:
  BridgeInstance(const BridgeSpec& spec, const BridgeSite& site);
  ~BridgeInstance();
  BridgeInstance(const BridgeInstance&) = delete;
  BridgeInstance& operator=(const BridgeInstance&) = delete;
  // Execs it and polls its ready path about every millisecond; the time from exec to 200.
  std::chrono::nanoseconds start_and_wait_ready();
  pid_t pid() const { return child_.pid(); }
  void pause() { child_.pause(); }
  void resume() { child_.resume(); }
  void terminate() { child_.terminate(); }
  void stop() { child_.stop(); }
  const std::string& label() const { return label_; }
  // The end of its log (stdout and stderr), for an error that needs the bridge's side of it.
  std::string log_tail(size_t max_bytes) const;
  long tasks_done = 0;  // answered tasks, counted by the runs

 private:
  std::string label_;
  std::string ready_path_;
  int health_port_;
  std::filesystem::path log_;
  Child child_;
};

}  // namespace rt::bench
