#pragma once
// nats-bridge settings (docs/contract.md §7), built once at start from knight.yaml < env < flags.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/nats/settings.hpp"
#include "roundtable/trace/settings.hpp"

namespace rt::bridge {

enum class GatewayMode { webhook, openai };

// One line worth logging once the logger exists: a Go nats-bridge alias used or overridden
// (docs/go-bridge.md). Names settings, never a value of a token.
struct ConfigNotice {
  bool warning = true;
  std::string event;
  nlohmann::json fields;
};

struct BridgeConfig {
  nats::NatsSettings nats;
  std::string fleet;
  std::string agent;
  std::vector<std::string> domains;
  std::vector<std::string> capabilities;  // for heartbeats; default "<domain>.*"
  std::string model;                      // for heartbeats

  std::string gateway_url = "http://127.0.0.1:18789";
  GatewayMode gateway_mode = GatewayMode::webhook;
  std::string gateway_model = "openclaw:main";
  std::string gateway_token;
  std::chrono::milliseconds gateway_timeout{600'000};
  // task.claimed is published for a gateway call not answered within this (docs/contract.md §3);
  // 0: for every call, as soon as the request is written.
  std::chrono::milliseconds claim_notice_after{100};

  int max_concurrency = 2;
  int priority_lookahead = 4;
  std::chrono::milliseconds ack_wait{30'000};
  int max_deliver = 5;
  std::vector<std::chrono::milliseconds> backoff{std::chrono::seconds(2), std::chrono::seconds(10),
                                                 std::chrono::seconds(30), std::chrono::seconds(60)};
  int breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{30'000};
  std::chrono::milliseconds heartbeat_interval{30'000};
  int health_port = 8080;
  std::string health_host = "0.0.0.0";
  std::string health_port_file;  // HEALTH_PORT_FILE: the bound port is written there; empty = off
  std::optional<std::string> redis_url;
  bool streams_auto_create = true;
  int stream_replicas = 1;
  std::chrono::milliseconds shutdown_grace{25'000};
  LogSettings log;
  trace::ExporterSettings tracing;  // OTEL_* (docs/observability.md); export off without an endpoint
  std::vector<ConfigNotice> notices;  // logged at start by log_config_notices()
};

// Every setting name the bridge reads; also its accepted flags (kebab-case).
const std::vector<std::string>& bridge_setting_names();
std::string bridge_usage();

// Throws config::ConfigError (exit 2) naming the bad setting.
BridgeConfig load_bridge_config(const std::vector<std::string>& args, const config::EnvMap& env);
void log_config_notices(const BridgeConfig& config, const Logger& logger);

}  // namespace rt::bridge
