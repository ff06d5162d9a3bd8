#include "nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "bench_error.hpp"

namespace rt::bench {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

std::filesystem::path fresh_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rt-bench-nats-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw BenchError("mkdtemp failed");
  return pattern;
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw BenchError("cannot bind a free port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto addr = loopback(port);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

NatsServerProcess::NatsServerProcess() : dir_(fresh_dir()), port_(free_loopback_port()) {
  auto config = dir_ / "nats.conf";
  std::ofstream(config) << "listen: 127.0.0.1:" << port_ << "\n"
                        << "jetstream { store_dir: \"" << (dir_ / "store").string() << "\" }\n";
  process_ = Child({"nats-server", "-c", config.string()}, {}, dir_ / "nats.log");
  process_.start();
  if (!port_open(port_, std::chrono::seconds(20)))
    throw BenchError("nats-server did not start on port " + std::to_string(port_) + ": " + process_.output_tail());
}

NatsServerProcess::~NatsServerProcess() {
  process_.stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace rt::bench
