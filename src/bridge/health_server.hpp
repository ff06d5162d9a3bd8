#pragma once
// /healthz, /readyz and /metrics on HEALTH_PORT (docs/contract.md §6).
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "roundtable/common/log.hpp"
#include "roundtable/http/server.hpp"

namespace rt::bridge {

class HealthServer {
 public:
  struct Probes {
    std::function<std::pair<bool, std::string>()> ready;  // (ready, JSON detail)
    std::function<std::string()> metrics;
  };
  HealthServer(std::string host, int port, Probes probes, Logger logger);
  ~HealthServer();
  // Binds and serves on a thread; false (with the reason logged) when the port is taken.
  bool start();
  void stop();
  int port() const { return port_; }

 private:
  std::string host_;
  int port_;
  Probes probes_;
  Logger logger_;
  http::Server server_;
  std::thread thread_;
};

}  // namespace rt::bridge
