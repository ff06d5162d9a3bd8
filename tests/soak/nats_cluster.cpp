#include "soak/nats_cluster.hpp"

#include <signal.h>

#include <fstream>
#include <stdexcept>

#include "fixtures/servers.hpp"

namespace rt::soak {

namespace fs = std::filesystem;

NatsCluster::NatsCluster(int nodes) : dir_(testing::make_temp_dir("rt-cluster")), nodes_(static_cast<size_t>(nodes)) {
  for (auto& n : nodes_) {
    n.client_port = testing::free_port();
    n.route_port = testing::free_port();
  }
  for (int i = 0; i < nodes; ++i) {
    auto& n = nodes_[static_cast<size_t>(i)];
    n.config = dir_ / (name(i) + ".conf");
    std::ofstream out(n.config);
    out << "server_name: " << name(i) << "\n"
        << "listen: 127.0.0.1:" << n.client_port << "\n"
        << "jetstream { store_dir: \"" << (dir_ / ("store-" + name(i))).string() << "\" }\n"
        << "cluster {\n  name: soak-cluster\n  listen: 127.0.0.1:" << n.route_port << "\n  routes: [\n";
    for (const auto& peer : nodes_) out << "    nats-route://127.0.0.1:" << peer.route_port << "\n";
    out << "  ]\n}\n";
  }
  for (int i = 0; i < nodes; ++i) start(i);
}

NatsCluster::~NatsCluster() {
  for (auto& n : nodes_) n.process.stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void NatsCluster::start(int node) {
  auto& n = nodes_.at(static_cast<size_t>(node));
  n.process = testing::ChildProcess({testing::find_executable("nats-server"), "-c", n.config.string()}, {},
                                    dir_ / (name(node) + ".log"));
  n.process.start();
  if (!testing::wait_for_port(n.client_port, std::chrono::seconds(20)))
    throw std::runtime_error("nats-server " + name(node) + " did not start: " + n.process.output());
}

void NatsCluster::kill(int node) {
  auto& n = nodes_.at(static_cast<size_t>(node));
  n.process.signal(SIGKILL);
  n.process.wait(std::chrono::seconds(5));
}

std::optional<int> NatsCluster::index_of(const std::string& server_name) const {
  for (int i = 0; i < size(); ++i)
    if (name(i) == server_name) return i;
  return std::nullopt;
}

std::string NatsCluster::urls() const {
  std::string out;
  for (const auto& n : nodes_) out += (out.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(n.client_port);
  return out;
}

}  // namespace rt::soak
