#pragma once
// knight-gateway settings (docs/contract.md §7): environment (and flags) over knight.yaml.
#include <chrono>
#include <optional>
#include <string>

#include "roundtable/common/log.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/checkpoint.hpp"
#include "roundtable/gateway/workspace.hpp"
#include "roundtable/llm/pricing.hpp"
#include "roundtable/nats/settings.hpp"
#include "roundtable/trace/settings.hpp"

namespace rt::gateway {

struct GatewayConfig {
  std::string workspace_dir = "/workspace";
  std::string listen = "127.0.0.1:18789";
  std::string token;
  std::string metrics_listen;  // GET /metrics only, without the token; empty = off
  std::string public_url;      // GATEWAY_PUBLIC_URL: the base URL in the A2A agent card; empty = from Host
  std::string port_file;       // GATEWAY_PORT_FILE: the bound port is written there; empty = off
  std::chrono::milliseconds shutdown_grace{25'000};
  std::string provider;  // anthropic | openai | offline
  std::string model;
  std::string base_url;
  std::string api_key;
  std::optional<std::string> redis_url;
  std::optional<nats::NatsSettings> nats;  // lead role: NATS_URL and its credentials
  std::string fleet;
  std::string agent;
  int max_concurrency = 8;
  std::chrono::milliseconds llm_timeout{120'000};
  std::chrono::milliseconds retry_base_delay{500};
  int retry_attempts = 3;
  size_t skill_output_bytes = 64 * 1024;
  CheckpointSettings checkpoints;  // CHECKPOINT_TTL, CHECKPOINT_MAX_BYTES (with REDIS_URL)
  llm::PriceTable prices = llm::PriceTable::builtin();  // PRICE_TABLE merged over the shipped prices
  LogSettings log;
  trace::ExporterSettings tracing;  // OTEL_* (docs/observability.md); export off without an endpoint
};

std::string gateway_usage();
// Loads the workspace too (errors name the file and line) and applies env over knight.yaml.
std::pair<GatewayConfig, Workspace> load_gateway_config(const std::vector<std::string>& args, const config::EnvMap& env);

}  // namespace rt::gateway
