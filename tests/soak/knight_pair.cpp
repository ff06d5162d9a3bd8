#include "soak/knight_pair.hpp"

#include <httplib.h>
#include <signal.h>

#include "fixtures/await.hpp"

namespace rt::soak {

namespace fs = std::filesystem;

namespace {

bool http_ok(int port, const char* path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 300000);
  client.set_read_timeout(2, 0);
  auto res = client.Get(path);
  return res && res->status == 200;
}

}  // namespace

KnightPair::KnightPair(int index, const fs::path& run_dir, const FleetUrls& urls, const SoakSettings& settings)
    : index_(index), gateway_port_(testing::free_port()), health_port_(testing::free_port()) {
  auto workspace = run_dir / ("workspace-" + std::to_string(index));
  fs::copy(fs::path(RT_SOURCE_DIR) / "tests/fixtures/workspaces/basic", workspace, fs::copy_options::recursive);
  std::string gateway_url = "http://127.0.0.1:" + std::to_string(gateway_port_);
  std::map<std::string, std::string> gateway_env{
      {"WORKSPACE_DIR", workspace.string()}, {"GATEWAY_LISTEN", "127.0.0.1:" + std::to_string(gateway_port_)},
      {"LLM_PROVIDER", "openai"},           {"LLM_BASE_URL", urls.llm},
      {"LLM_MODEL", "soak-model"},          {"OPENAI_API_KEY", "soak-not-a-secret"},
      {"LLM_RETRY_BASE_DELAY", "10ms"},     {"FLEET_ID", "fleet-a"},
      {"AGENT_ID", "galahad"},              {"LOG_LEVEL", "warn"}};
  std::map<std::string, std::string> bridge_env{
      {"NATS_URL", urls.nats},           {"GATEWAY_URL", gateway_url},
      {"FLEET_ID", "fleet-a"},           {"AGENT_ID", "galahad"},
      {"TASK_DOMAINS", "security"},      {"HEALTH_PORT", std::to_string(health_port_)},
      {"HEALTH_HOST", "127.0.0.1"},      {"ACK_WAIT", settings.ack_wait},
      {"BACKOFF", settings.backoff},     {"MAX_DELIVER", std::to_string(settings.max_deliver)},
      {"MAX_CONCURRENCY", "4"},          {"GATEWAY_TIMEOUT", "30s"},
      {"HEARTBEAT_INTERVAL", "1s"},      {"SHUTDOWN_GRACE", "5s"},
      {"STREAM_REPLICAS", std::to_string(urls.stream_replicas)},
      {"LOG_LEVEL", "info"},             {"WORKSPACE_DIR", "/nonexistent"}};
  if (!urls.redis.empty()) {
    gateway_env["REDIS_URL"] = urls.redis;
    bridge_env["REDIS_URL"] = urls.redis;
  }
  auto bin = settings.binaries.empty() ? fs::path(RT_BIN_DIR) : settings.binaries;
  gateway_ = testing::ChildProcess({(bin / "knight-gateway").string()}, gateway_env,
                                   run_dir / ("gateway-" + std::to_string(index) + ".log"));
  bridge_ = testing::ChildProcess({(bin / "nats-bridge").string()}, bridge_env,
                                  run_dir / ("bridge-" + std::to_string(index) + ".log"));
}

KnightPair::~KnightPair() {
  bridge_.stop(std::chrono::seconds(10));
  gateway_.stop(std::chrono::seconds(10));
}

void KnightPair::start_gateway() { gateway_.start(); }
void KnightPair::start_bridge() { bridge_.start(); }

void KnightPair::kill_gateway() {
  gateway_.signal(SIGKILL);
  gateway_.wait(std::chrono::seconds(5));
}

void KnightPair::kill_bridge() {
  bridge_.signal(SIGKILL);
  bridge_.wait(std::chrono::seconds(5));
}

void KnightPair::stop_gateway() { gateway_.stop(std::chrono::seconds(10)); }
void KnightPair::stop_bridge() { bridge_.stop(std::chrono::seconds(10)); }

bool KnightPair::gateway_ready(std::chrono::milliseconds timeout) {
  return testing::eventually([this] { return http_ok(gateway_port_, "/health"); }, timeout);
}

bool KnightPair::bridge_ready(std::chrono::milliseconds timeout) {
  return testing::eventually([this] { return http_ok(health_port_, "/readyz"); }, timeout);
}

}  // namespace rt::soak
