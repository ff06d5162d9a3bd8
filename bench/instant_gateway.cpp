#include "instant_gateway.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "bench_error.hpp"
#include "nats_server.hpp"

namespace rt::bench {
namespace {

using nlohmann::json;

constexpr int kWorkerThreads = 64;  // httplib keeps a thread per keep-alive connection

std::string completed_reply() {
  json body = {{"status", "completed"},
               {"result", {{"format", "markdown"}, {"content", "ok: done"},
                           {"metadata", {{"model", "instant"}, {"inputTokens", 10}, {"outputTokens", 5}, {"cacheReadTokens", 0}}}}}};
  return body.dump();
}

std::string openai_reply() {
  json body = {{"id", "chatcmpl-bench"}, {"object", "chat.completion"}, {"model", "instant"},
               {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "ok: done"}}}, {"finish_reason", "stop"}}})},
               {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}};
  return body.dump();
}

}  // namespace

InstantGateway::InstantGateway()
    : server_(std::make_unique<httplib::Server>()), port_(free_loopback_port()), webhook_reply_(completed_reply()), openai_reply_(openai_reply()) {
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(1'000'000);
  server_->set_keep_alive_timeout(120);
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  auto health = [](const httplib::Request&, httplib::Response& res) { res.set_content(R"({"status":"ok"})", "application/json"); };
  server_->Get("/health", health);
  server_->Get("/healthz", health);
  server_->Post("/webhook", [this](const httplib::Request&, httplib::Response& res) {
    answer_after_wait();
    res.set_content(webhook_reply_, "application/json");
  });
  server_->Post("/v1/chat/completions", [this](const httplib::Request&, httplib::Response& res) {
    answer_after_wait();
    res.set_content(openai_reply_, "application/json");
  });
  server_->Post("/hooks/agent", [this](const httplib::Request&, httplib::Response& res) {
    answer_after_wait();
    res.status = 202;
    res.set_content(R"({"ok":true,"runId":"bench"})", "application/json");
  });
  if (!server_->bind_to_port("127.0.0.1", port_)) throw BenchError("instant gateway cannot bind its port");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  if (!port_open(port_, std::chrono::seconds(10))) throw BenchError("instant gateway does not listen");
}

InstantGateway::~InstantGateway() {
  release();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void InstantGateway::hold() { held_ = true; }

void InstantGateway::release() {
  {
    std::lock_guard lock(mutex_);
    held_ = false;
  }
  released_.notify_all();
}

void InstantGateway::answer_after_wait() {
  ++in_flight_;
  if (int64_t delay = delay_us_.load(std::memory_order_relaxed)) std::this_thread::sleep_for(std::chrono::microseconds(delay));
  if (held_.load(std::memory_order_relaxed)) {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return !held_.load(); });
  }
  --in_flight_;
}

}  // namespace rt::bench
