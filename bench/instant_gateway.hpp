#pragma once
// A lean keep-alive HTTP server standing in for the gateway (POST /webhook, the knight-gateway
// route), OpenClaw (POST /v1/chat/completions, /hooks/agent) and an LLM API (the same chat
// completions route, for knight-gateway): every request gets fixed bytes at once, with no
// recording and no parsing of the body. Optionally each answer waits a fixed delay, or is held
// until released (to keep tasks in flight).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace rt::bench {

class InstantGateway {
 public:
  InstantGateway();
  ~InstantGateway();
  InstantGateway(const InstantGateway&) = delete;
  InstantGateway& operator=(const InstantGateway&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  void set_delay(std::chrono::microseconds delay) { delay_us_ = delay.count(); }
  void hold();     // answers wait until release()
  void release();
  int in_flight() const { return in_flight_; }  // requests inside a handler now

 private:
  void answer_after_wait();
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_;
  std::string webhook_reply_, openai_reply_;
  std::atomic<int64_t> delay_us_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<bool> held_{false};
  std::mutex mutex_;
  std::condition_variable released_;
};

}  // namespace rt::bench
