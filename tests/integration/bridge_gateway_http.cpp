// nats-bridge's own HTTP client for http:// gateways (docs/performance.md, change 21), through the
// real binary, against a gateway stand-in that writes raw bytes: a keep-alive connection carries
// task after task, answers framed every way HTTP/1.1 allows are read, and broken or hostile
// answers fail their task (docs/contract.md §5) while the bridge lives.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "fixtures/bridge_test.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

const std::string kCompletedBody = R"({"status":"completed","result":{"format":"markdown","content":"ok"}})";
const std::string kChatCompletionBody = R"({"model":"openclaw:main","choices":[{"message":{"role":"assistant","content":"ok"}}]})";

// What the stand-in writes for one webhook call, and whether it then closes the connection.
struct RawAnswer {
  std::string bytes;
  bool close_after = false;
  bool stall_after = false;  // write the bytes, then keep the connection open and say nothing more
};

RawAnswer with_length(const std::string& body, const std::string& extra_headers = "") {
  return {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body};
}

// A gateway that answers every GET (/health, /v1/models) with {} itself, and each POST (/webhook,
// /v1/chat/completions) with what the script says.
class RawGateway {
 public:
  using Script = std::function<RawAnswer(int call)>;

  explicit RawGateway(Script script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
      throw std::runtime_error("raw gateway: cannot listen");
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~RawGateway() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& thread : connections_) thread.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int webhook_calls() const { return calls_; }
  // Connections that carried a POST (health checks come on connections of their own).
  int webhook_connections() const { return webhook_connections_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      open_.push_back(fd);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // One request's head and body; false when the connection ended first.
  static bool read_request(int fd, std::string& pending, std::string& head) {
    size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos)
      if (!read_more(fd, pending)) return false;
    head = pending.substr(0, end + 4);
    size_t length = 0;
    if (auto at = head.find("Content-Length: "); at != std::string::npos) length = std::stoul(head.substr(at + 16));
    while (pending.size() < end + 4 + length)
      if (!read_more(fd, pending)) return false;
    pending.erase(0, end + 4 + length);
    return true;
  }
  static bool read_more(int fd, std::string& pending) {
    char buffer[65536];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending.append(buffer, static_cast<size_t>(n));
    return true;
  }
  static void write_all(int fd, const std::string& bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the bridge stopped reading: fine, it is what some tests want
      sent += static_cast<size_t>(n);
    }
  }

  void serve(int fd) {
    std::string pending, head;
    bool counted = false;
    while (!stopping_ && read_request(fd, pending, head)) {
      if (head.rfind("GET ", 0) == 0) {  // /health, or /v1/models in openai mode
        write_all(fd, with_length("{}").bytes);
        continue;
      }
      if (!counted) ++webhook_connections_;
      counted = true;
      RawAnswer answer = script_(++calls_);
      write_all(fd, answer.bytes);
      if (answer.close_after) break;
      if (answer.stall_after) {
        while (!stopping_ && read_more(fd, pending)) {
        }
        break;
      }
    }
    std::lock_guard lock(mutex_);
    std::erase(open_, fd);
    ::close(fd);
  }

  Script script_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> webhook_connections_{0};
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

class BridgeGatewayHttp : public BridgeTest {
 protected:
  BridgeProcess& start_bridge_to(const RawGateway& gateway, std::map<std::string, std::string> overrides = {}) {
    bridges_.push_back(std::make_unique<BridgeProcess>(nats_->url(), gateway.url(), std::move(overrides)));
    bridges_.back()->start();
    EXPECT_TRUE(bridges_.back()->wait_ready()) << bridges_.back()->output();
    return *bridges_.back();
  }
  // Publishes a task and returns its result envelope (or null when none came).
  json answer_of_one_task() {
    auto task = bus_->publish_task("security.briefing");
    auto result = bus_->wait_result(task.id);
    return result ? *result : json();
  }
};

TEST_F(BridgeGatewayHttp, OneKeepAliveConnectionCarriesTaskAfterTask) {
  RawGateway gateway([](int) { return with_length(kCompletedBody); });
  start_bridge_to(gateway, {{"MAX_CONCURRENCY", "1"}});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(answer_of_one_task()["type"], "task.result");
  EXPECT_EQ(gateway.webhook_calls(), 5);
  EXPECT_EQ(gateway.webhook_connections(), 1) << "each task opened a connection of its own";
}

TEST_F(BridgeGatewayHttp, AnswersInChunksOrEndedByTheCloseAreRead) {
  RawGateway gateway([](int call) -> RawAnswer {
    if (call == 1) {
      std::string body = kCompletedBody;
      std::string chunked;
      for (size_t at = 0; at < body.size(); at += 7) {
        std::string piece = body.substr(at, 7);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", piece.size());
        chunked += std::string(size) + ";note=x\r\n" + piece + "\r\n";
      }
      return {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + "0\r\nX-Trailer: t\r\n\r\n"};
    }
    if (call == 2) return {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + kCompletedBody, true};
    return with_length(kCompletedBody, "Connection: close\r\n");
  });
  start_bridge_to(gateway, {{"MAX_CONCURRENCY", "1"}});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(answer_of_one_task()["type"], "task.result") << "call " << i + 1;
  // The chunked answer left its connection usable; the answer ended by the close, and the two
  // that asked for it to be closed, did not.
  EXPECT_EQ(gateway.webhook_connections(), 3);
}

TEST_F(BridgeGatewayHttp, AConnectionLostAfterSendingIsGatewayUnavailable) {
  RawGateway gateway([](int) { return RawAnswer{"", true}; });
  start_bridge_to(gateway, {{"MAX_DELIVER", "2"}});
  json result = answer_of_one_task();
  EXPECT_EQ(result["type"], "task.failed") << result.dump();
  EXPECT_EQ(result["payload"]["error"], "gateway_unavailable") << result.dump();
  EXPECT_EQ(gateway.webhook_calls(), 2) << "the first loss was retried";
}

TEST_F(BridgeGatewayHttp, ChatCompletionsShareOneKeepAliveConnectionAndALostOneIsGatewayUnavailable) {
  RawGateway gateway([](int call) { return call <= 3 ? with_length(kChatCompletionBody) : RawAnswer{"", true}; });
  start_bridge_to(gateway, {{"GATEWAY_MODE", "openai"}, {"MAX_CONCURRENCY", "1"}, {"MAX_DELIVER", "1"}});
  for (int i = 0; i < 3; ++i) {
    json result = answer_of_one_task();
    EXPECT_EQ(result["type"], "task.result") << result.dump();
    EXPECT_EQ(result["payload"]["result"]["content"], "ok") << result.dump();
  }
  EXPECT_EQ(gateway.webhook_connections(), 1) << "each chat completion opened a connection of its own";
  json lost = answer_of_one_task();
  EXPECT_EQ(lost["type"], "task.failed") << lost.dump();
  EXPECT_EQ(lost["payload"]["error"], "gateway_unavailable") << lost.dump();
}

TEST_F(BridgeGatewayHttp, AnAnswerThatStallsMidwayTimesOut) {
  RawGateway gateway([](int) {
    return RawAnswer{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"status\":", false, true};
  });
  start_bridge_to(gateway, {{"MAX_DELIVER", "1"}, {"GATEWAY_TIMEOUT", "1s"}});
  json result = answer_of_one_task();
  EXPECT_EQ(result["type"], "task.failed") << result.dump();
  EXPECT_EQ(result["payload"]["error"], "timeout") << result.dump();
}

TEST_F(BridgeGatewayHttp, BrokenAnswersFailTheirTaskAndTheBridgeLives) {
  const std::vector<std::pair<std::string, RawAnswer>> broken{
      {"a head that never ends", {"HTTP/1.1 200 OK\r\n" + std::string(10 << 20, 'x'), true}},
      {"not HTTP", {"SSH-2.0-OpenSSH_9.2\r\n\r\n", true}},
      {"a chunk size that is not hex", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, true}},
      {"two framings", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", false, true}},
      {"two lengths", {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", false, true}},
      {"a body cut short", {"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"status\":", true}},
  };
  RawGateway gateway([&](int call) {
    return call <= static_cast<int>(broken.size()) ? broken[static_cast<size_t>(call - 1)].second : with_length(kCompletedBody);
  });
  auto& bridge = start_bridge_to(gateway, {{"MAX_DELIVER", "1"}, {"MAX_CONCURRENCY", "1"}, {"BREAKER_THRESHOLD", "100"}});
  for (const auto& [name, answer] : broken) {
    json result = answer_of_one_task();
    EXPECT_EQ(result["type"], "task.failed") << name << ": " << result.dump();
    EXPECT_EQ(result["payload"]["error"], "gateway_unavailable") << name << ": " << result.dump();
    ASSERT_TRUE(bridge.process().running()) << name;
  }
  EXPECT_EQ(answer_of_one_task()["type"], "task.result");
  EXPECT_EQ(gateway.webhook_calls(), static_cast<int>(broken.size()) + 1);
}

}  // namespace
}  // namespace rt::testing
