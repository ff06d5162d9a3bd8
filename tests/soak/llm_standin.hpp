#pragma once
// A small OpenAI-compatible chat-completions server on loopback: the knight-gateways' LLM
// during a soak. It thinks for a seeded random while (so crashes find work in flight), answers
// every request and counts them.
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace rt::soak {

class LlmStandIn {
 public:
  // Each answer takes between min_delay and max_delay.
  LlmStandIn(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay, uint32_t seed);
  ~LlmStandIn();
  LlmStandIn(const LlmStandIn&) = delete;
  LlmStandIn& operator=(const LlmStandIn&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint64_t calls() const { return calls_.load(); }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<uint64_t> calls_{0};
  std::mutex random_mutex_;
  std::mt19937 random_;
  std::uniform_int_distribution<int64_t> delay_ms_;
};

}  // namespace rt::soak
