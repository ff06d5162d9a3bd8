#pragma once
// The fleet a soak runs against: nats-server on a store, redis-server, the LLM stand-in and
// two knight replicas (gateway + bridge each), with the faults the chaos loop injects.
#include <filesystem>
#include <memory>
#include <vector>

#include "fixtures/servers.hpp"
#include "soak/chaos_loop.hpp"
#include "soak/knight_pair.hpp"
#include "soak/llm_standin.hpp"
#include "soak/soak_settings.hpp"

namespace rt::soak {

class SoakFleet {
 public:
  SoakFleet(const SoakSettings& settings, const std::filesystem::path& run_dir, int replicas = 2);
  // Starts the gateways, then the bridges, and waits until every bridge is ready.
  void start();
  std::vector<Fault> faults();
  std::string nats_url() const { return nats_.url(); }
  uint64_t llm_calls() const { return llm_.calls(); }

 private:
  void kill_bridge();
  void kill_gateway();
  void gateway_outage();
  void restart_nats();
  void restart_redis();
  KnightPair& next_target();

  SoakSettings settings_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  LlmStandIn llm_;
  std::vector<std::unique_ptr<KnightPair>> knights_;
  size_t target_ = 0;
};

}  // namespace rt::soak
