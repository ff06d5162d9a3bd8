#include "soak/soak_fleet.hpp"

#include <stdexcept>
#include <thread>

namespace rt::soak {

using namespace std::chrono_literals;

SoakFleet::SoakFleet(const SoakSettings& settings, const std::filesystem::path& run_dir, int replicas)
    : settings_(settings), llm_(settings.llm_min, settings.llm_max, settings.seed) {
  FleetUrls urls{nats_.url(), redis_.url(), llm_.url(), 1};
  for (int i = 0; i < replicas; ++i) knights_.push_back(std::make_unique<KnightPair>(i, run_dir, urls, settings));
}

void SoakFleet::start() {
  for (auto& k : knights_) k->start_gateway();
  for (auto& k : knights_)
    if (!k->gateway_ready(30s)) throw std::runtime_error("gateway " + std::to_string(k->index()) + " is not healthy");
  for (auto& k : knights_) k->start_bridge();
  for (auto& k : knights_)
    if (!k->bridge_ready(30s)) throw std::runtime_error("bridge " + std::to_string(k->index()) + " is not ready, log " + k->bridge_log());
}

KnightPair& SoakFleet::next_target() { return *knights_[target_++ % knights_.size()]; }

void SoakFleet::kill_bridge() {
  auto& k = next_target();
  k.kill_bridge();
  std::this_thread::sleep_for(300ms);  // the crashed replica stays away a moment
  k.start_bridge();
}

void SoakFleet::kill_gateway() {
  auto& k = next_target();
  k.kill_gateway();
  k.start_gateway();
  if (!k.gateway_ready(30s)) throw std::runtime_error("gateway did not come back after kill -9");
}

// Every gateway away for twice the back-off budget: retries alone cannot outlast it.
void SoakFleet::gateway_outage() {
  for (auto& k : knights_) k->stop_gateway();
  std::this_thread::sleep_for(2 * settings_.backoff_budget() + 500ms);
  for (auto& k : knights_) k->start_gateway();
  for (auto& k : knights_)
    if (!k->gateway_ready(30s)) throw std::runtime_error("gateway did not come back after the outage");
}

void SoakFleet::restart_nats() { nats_.restart(); }

void SoakFleet::restart_redis() {
  redis_.stop();
  std::this_thread::sleep_for(1s);
  redis_.start();
}

std::vector<Fault> SoakFleet::faults() {
  return {{"kill9-bridge", [this] { kill_bridge(); }},
          {"kill9-gateway", [this] { kill_gateway(); }},
          {"gateway-outage", [this] { gateway_outage(); }},
          {"nats-restart", [this] { restart_nats(); }},
          {"redis-restart", [this] { restart_redis(); }}};
}

}  // namespace rt::soak
