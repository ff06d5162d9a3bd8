#pragma once
// A nats-server -js of the driver's own on a free loopback port with a fresh store; its PID is
// known, so its CPU can be read while the bridge or the floor runs.
#include <filesystem>
#include <string>

#include "spawn.hpp"

namespace rt::bench {

class NatsServerProcess {
 public:
  NatsServerProcess();
  ~NatsServerProcess();
  NatsServerProcess(const NatsServerProcess&) = delete;
  NatsServerProcess& operator=(const NatsServerProcess&) = delete;
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return process_.pid(); }

 private:
  std::filesystem::path dir_;
  int port_;
  Child process_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();
// True once 127.0.0.1:port accepts a connection, polling every millisecond up to timeout.
bool port_open(int port, std::chrono::milliseconds timeout);

}  // namespace rt::bench
