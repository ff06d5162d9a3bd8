#pragma once
// One knight replica of a soak fleet: a real knight-gateway and the nats-bridge that calls it
// (a bridge talks to one GATEWAY_URL, so bridge i is paired with gateway i). Both keep their
// ports across restarts and log into the run directory.
#include <filesystem>
#include <string>

#include "fixtures/process.hpp"
#include "soak/soak_settings.hpp"

namespace rt::soak {

struct FleetUrls {
  std::string nats;   // comma list for a cluster
  std::string redis;  // empty: no Redis
  std::string llm;
  int stream_replicas = 1;
};

class KnightPair {
 public:
  KnightPair(int index, const std::filesystem::path& run_dir, const FleetUrls& urls, const SoakSettings& settings);
  ~KnightPair();
  KnightPair(const KnightPair&) = delete;
  KnightPair& operator=(const KnightPair&) = delete;

  void start_gateway();
  void start_bridge();
  void kill_gateway();   // SIGKILL by PID
  void kill_bridge();    // SIGKILL by PID
  void stop_gateway();   // SIGTERM by PID, SIGKILL after the grace
  void stop_bridge();
  bool gateway_ready(std::chrono::milliseconds timeout);
  bool bridge_ready(std::chrono::milliseconds timeout);
  int index() const { return index_; }
  std::string bridge_log() const { return bridge_.log_file().string(); }

 private:
  int index_;
  int gateway_port_, health_port_;
  testing::ChildProcess gateway_, bridge_;
};

}  // namespace rt::soak
