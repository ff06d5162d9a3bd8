// nats::Connection with NATS_CREDS when nats.c drops the nonce's signature. nats.c 3.4 leaves the
// `sig` out of CONNECT when the ed25519 signature's first byte is 0 (one nonce in 256), and
// nats-server refuses such a CONNECT ("Signature missing"). A stand-in server here offers such a
// nonce first, so the connect succeeds only if it is retried with a fresh nonce.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fixtures/process.hpp"
#include "roundtable/nats/connection.hpp"

namespace rt {
namespace {

// The nonces make_nats_creds.py found for the user: one whose signature starts with 0, one not.
std::vector<std::string> user_nonces(const std::filesystem::path& file) {
  std::vector<std::string> nonces;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) nonces.push_back(line);
  return nonces;
}

// Speaks just enough of the NATS protocol: INFO with the next nonce, then PONG to a CONNECT that
// carries a signature, or -ERR and a close to one without (as nats-server does).
class SignatureCheckingServer {
 public:
  explicit SignatureCheckingServer(std::vector<std::string> nonces) : nonces_(std::move(nonces)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 8) != 0)
      throw std::runtime_error("stand-in server cannot listen");
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SignatureCheckingServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> connects() {
    std::lock_guard lock(mutex_);
    return connects_;
  }

 private:
  static std::string read_line(int fd) {
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1) {
      line += c;
      if (c == '\n') break;
    }
    return line;
  }
  static void send(int fd, const std::string& text) { (void)::write(fd, text.data(), text.size()); }

  void serve() {
    for (size_t i = 0;; ++i) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      const std::string& nonce = nonces_[std::min(i, nonces_.size() - 1)];
      send(fd, R"(INFO {"server_id":"STANDIN","version":"2.9.10","proto":1,"headers":true,"auth_required":true,)"
               R"("max_payload":1048576,"client_id":)" + std::to_string(i + 1) + R"(,"nonce":")" + nonce + "\"}\r\n");
      std::string connect = read_line(fd);
      {
        std::lock_guard lock(mutex_);
        connects_.push_back(connect);
      }
      if (connect.find("\"sig\":\"") == std::string::npos) {
        send(fd, "-ERR 'Authorization Violation'\r\n");
        ::close(fd);
        continue;
      }
      for (std::string line = read_line(fd); !line.empty(); line = read_line(fd))
        if (line.rfind("PING", 0) == 0) send(fd, "PONG\r\n");
      ::close(fd);
    }
  }

  std::vector<std::string> nonces_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> connects_;
};

TEST(NatsCredsSignature, ConnectSignsAFreshNonceWhenTheFirstSignatureWasDropped) {
  auto dir = testing::make_temp_dir("rt-creds-sig");
  auto made = testing::run_command({"/usr/bin/python3", std::string(RT_SOURCE_DIR) + "/tests/scripts/make_nats_creds.py", dir.string()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto nonces = user_nonces(dir / "user.nonces");
  ASSERT_EQ(nonces.size(), 2u);
  {
    SignatureCheckingServer server(nonces);
    nats::NatsSettings settings;
    settings.servers = {server.url()};
    settings.creds_file = (dir / "user.creds").string();
    settings.retry_on_failed_connect = false;
    auto connection = nats::Connection::connect(settings, Logger());
    ASSERT_TRUE(connection.ok()) << connection.error().message;
    auto connects = server.connects();
    ASSERT_FALSE(connects.empty());
    EXPECT_NE(connects.back().find("\"sig\":\""), std::string::npos) << "the accepted CONNECT carries a signature";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rt
