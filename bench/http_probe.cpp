#include "http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <cstring>
#include <thread>

#include "bench_error.hpp"

namespace rt::bench {

int raw_get_status(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval two_seconds{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
  int status = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[64];
      size_t got = 0;
      while (got < 12) {
        ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      if (got >= 12 && std::memcmp(buf, "HTTP/1.", 7) == 0) status = std::atoi(std::string(buf + 9, 3).c_str());
    }
  }
  ::close(fd);
  return status;
}

std::optional<std::chrono::nanoseconds> time_until_ready(int port, std::string path, Steady::time_point since,
                                                         std::chrono::milliseconds timeout) {
  auto deadline = since + timeout;
  while (Steady::now() < deadline) {
    auto tried = Steady::now();
    int status = raw_get_status(port, path);
    if (status == 200) return Steady::now() - since;
    if (status == 404 && path == "/readyz") {
      path = "/health";  // it answered: asked again at once, the wait is not its start-up
      continue;
    }
    auto next = tried + std::chrono::milliseconds(1);
    if (Steady::now() < next) std::this_thread::sleep_until(next);
  }
  return std::nullopt;
}

KeepAlivePoster::KeepAlivePoster(int port, std::string path)
    : client_(std::make_unique<httplib::Client>("127.0.0.1", port)), path_(std::move(path)) {
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
  client_->set_read_timeout(30, 0);
}

KeepAlivePoster::~KeepAlivePoster() = default;

PostLoop KeepAlivePoster::run(TaskFactory& tasks, int n) {
  samples_.assign(static_cast<size_t>(n), 0);
  PostLoop out;
  auto start = Steady::now();
  for (int i = 0; i < n; ++i) {
    tasks.next();
    auto t0 = Steady::now();
    auto res = client_->Post(path_.c_str(), tasks.bytes(), "application/json");
    if (!res || res->status != 200)
      throw BenchError("POST " + path_ + " failed: " + (res ? std::to_string(res->status) + " " + res->body.substr(0, 300) : httplib::to_string(res.error())));
    samples_[static_cast<size_t>(i)] = ns_between(t0, Steady::now());
    if (i == 0) out.first_body = res->body;
  }
  out.per_second = n / seconds_between(start, Steady::now());
  out.p50_us = median(samples_) / 1000.0;
  return out;
}

}  // namespace rt::bench
