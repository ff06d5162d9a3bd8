#pragma once
// A 3-node nats-server cluster on loopback: JetStream on each node with its own store,
// routes between all of them. Nodes are killed (SIGKILL by PID) and restarted on their store.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fixtures/process.hpp"

namespace rt::soak {

class NatsCluster {
 public:
  explicit NatsCluster(int nodes = 3);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  void start(int node);
  void kill(int node);
  int size() const { return static_cast<int>(nodes_.size()); }
  std::string name(int node) const { return "n" + std::to_string(node + 1); }
  std::optional<int> index_of(const std::string& server_name) const;
  std::string urls() const;  // comma list of every node's client URL

 private:
  struct Node {
    int client_port = 0, route_port = 0;
    std::filesystem::path config;
    testing::ChildProcess process;
  };
  std::filesystem::path dir_;
  std::vector<Node> nodes_;
};

}  // namespace rt::soak
