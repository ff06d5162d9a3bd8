#include "bridge_instance.hpp"

#include <fstream>
#include <iterator>

#include "bench_error.hpp"
#include "http_probe.hpp"
#include "nats_server.hpp"
#include "task_factory.hpp"

namespace rt::bench {
namespace {

std::string substitute(std::string text, const EnvMap& values) {
  for (const auto& [key, value] : values) {
    std::string token = "{" + key + "}";
    for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size())) text.replace(at, token.size(), value);
  }
  return text;
}

}  // namespace

BridgeInstance::BridgeInstance(const BridgeSpec& spec, const BridgeSite& site)
    : label_(spec.label), ready_path_(spec.ready_path), health_port_(free_loopback_port()) {
  std::string port = std::to_string(health_port_);
  EnvMap values{{"nats_url", site.nats_url}, {"gateway_url", site.gateway_url}, {"health_port", port},
                {"domain", site.domain},     {"agent", site.agent},             {"fleet", kFleet}};
  EnvMap env{{"NATS_URL", site.nats_url},
             {"GATEWAY_URL", site.gateway_url},
             {"FLEET_ID", kFleet},
             {"AGENT_ID", site.agent},
             {"TASK_DOMAINS", site.domain},
             {"HEALTH_PORT", port},
             {"HEALTH_HOST", "127.0.0.1"},
             {"MAX_CONCURRENCY", std::to_string(site.max_concurrency)},
             {"LOG_LEVEL", "info"},
             {"WORKSPACE_DIR", "/nonexistent"}};
  for (const auto& [k, v] : spec.env) env[k] = substitute(v, values);
  std::vector<std::string> argv;
  for (const auto& word : spec.argv) argv.push_back(substitute(word, values));
  log_ = std::filesystem::temp_directory_path() / ("rt-bench-" + spec.label + "-" + port + ".log");
  child_ = Child(std::move(argv), std::move(env), log_);
}

std::string BridgeInstance::log_tail(size_t max_bytes) const {
  std::ifstream in(log_, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

BridgeInstance::~BridgeInstance() {
  child_.stop();
  std::error_code ignored;
  std::filesystem::remove(log_, ignored);
}

std::chrono::nanoseconds BridgeInstance::start_and_wait_ready() {
  auto exec = Steady::now();
  child_.start();
  auto ready = time_until_ready(health_port_, ready_path_, exec);
  if (!ready) {
    bool alive = child_.running();
    throw BenchError(label_ + (alive ? " not ready within 20 s" : " exited before it was ready") + "; its output:\n" + child_.output_tail());
  }
  return *ready;
}

}  // namespace rt::bench
