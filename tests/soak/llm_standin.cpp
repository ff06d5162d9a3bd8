#include "soak/llm_standin.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <stdexcept>
#include <thread>

#include "fixtures/await.hpp"
#include "fixtures/process.hpp"

namespace rt::soak {

using nlohmann::json;

namespace {

std::string completion(uint64_t n) {
  json body = {{"id", "chatcmpl-soak-" + std::to_string(n)},
               {"object", "chat.completion"},
               {"model", "soak-model"},
               {"choices", json::array({{{"index", 0},
                                         {"message", {{"role", "assistant"}, {"content", "soak answer " + std::to_string(n)}}},
                                         {"finish_reason", "stop"}}})},
               {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 4}}}};
  return body.dump();
}

}  // namespace

LlmStandIn::LlmStandIn(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay, uint32_t seed)
    : server_(std::make_unique<httplib::Server>()), port_(testing::free_port()), random_(seed),
      delay_ms_(min_delay.count(), std::max(min_delay, max_delay).count()) {
  // One thread per gateway call in flight: 2 gateways x their work slots, with room to spare.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server_->Post("/v1/chat/completions", [this](const httplib::Request&, httplib::Response& res) {
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(random_mutex_);
      delay = std::chrono::milliseconds(delay_ms_(random_));
    }
    std::this_thread::sleep_for(delay);  // the model thinking
    res.set_content(completion(++calls_), "application/json");
  });
  server_->Get("/health", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  thread_ = std::thread([this] { server_->listen("127.0.0.1", port_); });
  if (!testing::wait_for_port(port_, std::chrono::seconds(10))) throw std::runtime_error("LLM stand-in did not start");
}

LlmStandIn::~LlmStandIn() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rt::soak
