#include "roundtable/gateway/config.hpp"

#include "roundtable/config/nats_settings.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/http/base_url.hpp"
#include "roundtable/http/server_options.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::gateway {

namespace {
const std::vector<std::string> kNames{"WORKSPACE_DIR", "GATEWAY_LISTEN", "GATEWAY_TOKEN", "LLM_PROVIDER", "LLM_MODEL",
                                      "LLM_BASE_URL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "REDIS_URL", "NATS_URL",
                                      "FLEET_ID", "AGENT_ID", "LOG_LEVEL", "LOG_FORMAT", "GATEWAY_MAX_CONCURRENCY",
                                      "LLM_TIMEOUT", "LLM_RETRY_BASE_DELAY", "LLM_RETRY_ATTEMPTS", "SKILL_OUTPUT_BYTES",
                                      "NATS_USER", "NATS_PASSWORD", "NATS_TOKEN", "NATS_CREDS", "NATS_TLS_CA",
                                      "NATS_TLS_CERT", "NATS_TLS_KEY", "GATEWAY_METRICS_LISTEN",
                                      "GATEWAY_SHUTDOWN_GRACE", "PRICE_TABLE", "GATEWAY_PUBLIC_URL", "GATEWAY_PORT_FILE",
                                      "CHECKPOINT_TTL", "CHECKPOINT_MAX_BYTES"};
}  // namespace

std::string gateway_usage() {
  return R"(usage: knight-gateway [--setting value ...]

The knight runtime: loads WORKSPACE_DIR (knight.yaml, SOUL.md, MEMORY.md, skills/), answers
POST /webhook (task envelopes), POST /v1/chat/completions and GET /v1/models (OpenAI-compatible),
GET /health and GET /metrics on GATEWAY_LISTEN. Environment overrides knight.yaml; flags (kebab-case) override
the environment.

  WORKSPACE_DIR           /workspace
  GATEWAY_LISTEN          127.0.0.1:18789
  GATEWAY_TOKEN           bearer token required on every request except /health (optional)
  GATEWAY_MAX_CONCURRENCY 8      requests served at once
  GATEWAY_METRICS_LISTEN  (off)  host:port serving GET /metrics alone, without the token, for
                                 Prometheus (e.g. 0.0.0.0:9464; restrict it by network policy)
  GATEWAY_PORT_FILE       (none) file the bound port is written to (also printed on stdout as
                                 `listening <host>:<port>`): for GATEWAY_LISTEN port 0
  GATEWAY_PUBLIC_URL      (Host) base URL other agents reach this gateway at, for the A2A agent
                                 card (GET /.well-known/agent-card.json); default: the Host header
  GATEWAY_SHUTDOWN_GRACE  25s    after SIGTERM, how long running requests may finish; idle
                                 connections are closed at once
  LLM_PROVIDER            anthropic | openai | offline   (knight.yaml model.provider)
  LLM_MODEL               model name                     (knight.yaml model.name)
  LLM_BASE_URL            API base, e.g. http://127.0.0.1:11434 for an OpenAI-compatible server
  ANTHROPIC_API_KEY, OPENAI_API_KEY
  LLM_TIMEOUT             120s per LLM call
  LLM_RETRY_ATTEMPTS      3 per model, then the next fallback model
  LLM_RETRY_BASE_DELAY    500ms, doubled per retry (retry-after wins)
  SKILL_OUTPUT_BYTES      65536  stdout kept from a skill
  REDIS_URL               shared memory, fleet rate limit, token and spend budgets, task
                                 checkpoints (optional)
  CHECKPOINT_TTL          24h    how long a task's checkpoint is kept for its redelivery
  CHECKPOINT_MAX_BYTES    4194304  a task whose checkpoint grows past this is no longer checkpointed
  PRICE_TABLE             (none) YAML or JSON file of USD per million tokens per model, merged
                                 over the shipped prices (docs/gateway.md, Cost)
  NATS_URL (+ NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_TLS_*)  lead role
  FLEET_ID, AGENT_ID      override knight.yaml fleet and name
  LOG_LEVEL, LOG_FORMAT   info, json

Exit codes: 0 clean shutdown, 2 bad configuration or workspace, 1 anything else.
)";
}

std::pair<GatewayConfig, Workspace> load_gateway_config(const std::vector<std::string>& args, const config::EnvMap& env) {
  config::Settings s;
  s.add_env(env);
  s.add_flags(args, kNames);
  GatewayConfig c;
  c.workspace_dir = s.text("WORKSPACE_DIR", c.workspace_dir);
  Workspace ws = load_workspace(c.workspace_dir);
  c.listen = s.text("GATEWAY_LISTEN", c.listen);
  http::HostPort hp;
  if (!http::parse_listen_address(c.listen, hp)) s.fail("GATEWAY_LISTEN", "host:port", c.listen);
  c.token = s.text("GATEWAY_TOKEN", "");
  c.metrics_listen = s.text("GATEWAY_METRICS_LISTEN", "");
  if (!c.metrics_listen.empty() && !http::parse_listen_address(c.metrics_listen, hp))
    s.fail("GATEWAY_METRICS_LISTEN", "host:port (empty: off)", c.metrics_listen);
  c.port_file = s.text("GATEWAY_PORT_FILE", "");
  c.public_url = s.text("GATEWAY_PUBLIC_URL", "");
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
    s.fail("GATEWAY_PUBLIC_URL", "an http:// or https:// URL (empty: from the Host header)", c.public_url);
  while (c.public_url.size() > 8 && c.public_url.back() == '/') c.public_url.pop_back();
  c.shutdown_grace = s.duration("GATEWAY_SHUTDOWN_GRACE", c.shutdown_grace);
  c.provider = s.choice("LLM_PROVIDER", ws.knight.model.provider, {"anthropic", "openai", "offline"});
  if (c.provider != "anthropic" && c.provider != "openai" && c.provider != "offline")
    s.fail("LLM_PROVIDER", "anthropic, openai or offline (knight.yaml model.provider)", c.provider);
  c.model = s.text("LLM_MODEL", ws.knight.model.name);
  c.base_url = s.text("LLM_BASE_URL", "");
  if (!c.base_url.empty()) {
    auto base = http::split_base_url(c.base_url);
    if (!base) s.fail("LLM_BASE_URL", "an http:// or https:// URL (no query, fragment or spaces)", redact_url(c.base_url));
    auto unversioned = http::without_trailing_version(std::move(*base), "/v1");
    c.base_url = unversioned.origin + unversioned.path;
  }
  c.api_key = s.text(c.provider == "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY", "");
  if (c.provider == "anthropic" && c.api_key.empty() && c.base_url.empty())
    s.fail("ANTHROPIC_API_KEY", "an API key for the anthropic provider (or LLM_PROVIDER=offline)", "");
  c.redis_url = s.optional_text("REDIS_URL");
  if (c.redis_url && !redis::parse_redis_url(*c.redis_url)) s.fail("REDIS_URL", "redis://[:password@]host[:port][/db]", "(hidden)");
  if (s.optional_text("NATS_URL")) c.nats = config::nats_settings(s, "knight-gateway");
  c.fleet = s.identifier("FLEET_ID", ws.knight.fleet);
  c.agent = s.identifier("AGENT_ID", ws.knight.name);
  c.max_concurrency = static_cast<int>(s.integer("GATEWAY_MAX_CONCURRENCY", c.max_concurrency, 1, 256));
  c.llm_timeout = s.duration("LLM_TIMEOUT", c.llm_timeout);
  c.retry_base_delay = s.duration("LLM_RETRY_BASE_DELAY", c.retry_base_delay);
  c.retry_attempts = static_cast<int>(s.integer("LLM_RETRY_ATTEMPTS", c.retry_attempts, 1, 10));
  if (auto prices = s.optional_text("PRICE_TABLE"); prices && !prices->empty()) c.prices = llm::load_price_table(*prices);
  c.skill_output_bytes = static_cast<size_t>(s.integer("SKILL_OUTPUT_BYTES", static_cast<int64_t>(c.skill_output_bytes), 256, 16 << 20));
  c.checkpoints.ttl = s.duration("CHECKPOINT_TTL", c.checkpoints.ttl);
  if (c.checkpoints.ttl < std::chrono::seconds(1)) s.fail("CHECKPOINT_TTL", "a duration of at least 1s", std::to_string(c.checkpoints.ttl.count()) + "ms");
  c.checkpoints.max_bytes = static_cast<size_t>(s.integer("CHECKPOINT_MAX_BYTES", static_cast<int64_t>(c.checkpoints.max_bytes), 1024, 64 << 20));
  c.log.level = s.choice("LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error", "off"});
  c.log.format = s.choice("LOG_FORMAT", "json", {"json", "text"}) == "text" ? LogFormat::text : LogFormat::json;
  c.log.component = "gateway";
  c.log.context = {{"fleet", c.fleet}, {"agent", c.agent}};
  c.tracing = trace::exporter_settings(env, "knight-gateway");
  if (c.nats) c.nats->connection_name += "/" + c.agent;
  mcp::resolve_environment(ws.knight.mcp_servers, env, ws.dir);  // before the gateway scrubs its secrets
  ws.knight.fleet = c.fleet;
  ws.knight.name = c.agent;
  ws.knight.model.provider = c.provider;
  ws.knight.model.name = c.model;
  return {c, std::move(ws)};
}

}  // namespace rt::gateway
