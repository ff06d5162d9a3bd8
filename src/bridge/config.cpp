#include "roundtable/bridge/config.hpp"

#include <algorithm>
#include <filesystem>

#include "roundtable/bridge/go_bridge_aliases.hpp"
#include "roundtable/config/knight_file.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/config/nats_settings.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/http/base_url.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::bridge {

using std::chrono::milliseconds;

const std::vector<std::string>& bridge_setting_names() {
  static const std::vector<std::string> names{
      "NATS_URL",       "NATS_CREDS",         "NATS_USER",          "NATS_PASSWORD",    "NATS_TOKEN",
      "NATS_TLS_CA",    "NATS_TLS_CERT",      "NATS_TLS_KEY",       "FLEET_ID",         "AGENT_ID",
      "TASK_DOMAINS",   "CAPABILITIES",       "MODEL_NAME",         "GATEWAY_URL",      "GATEWAY_MODE",
      "GATEWAY_MODEL",  "GATEWAY_TOKEN",      "GATEWAY_TIMEOUT",    "MAX_CONCURRENCY",  "PRIORITY_LOOKAHEAD",
      "ACK_WAIT",       "MAX_DELIVER",        "BACKOFF",            "HEARTBEAT_INTERVAL", "HEALTH_PORT",
      "HEALTH_HOST",    "REDIS_URL",          "STREAMS_AUTO_CREATE", "STREAM_REPLICAS",  "SHUTDOWN_GRACE",
      "LOG_LEVEL",      "LOG_FORMAT",         "KNIGHT_CONFIG",      "BREAKER_THRESHOLD", "BREAKER_COOLDOWN", "HEALTH_PORT_FILE",
      "CLAIM_NOTICE_AFTER"};
  return names;
}

std::string bridge_usage() {
  return R"(usage: nats-bridge [--setting value ...]

Binds durable JetStream pull consumers on <fleet>.tasks.<domain>.>, posts each task to the
knight gateway, publishes the answer to <fleet>.results.<domain>.<task-id>.

Every setting is an environment variable; the flag of the same name in kebab-case overrides it
(NATS_URL -> --nats-url). knight.yaml (KNIGHT_CONFIG, default $WORKSPACE_DIR/knight.yaml when
present) supplies name, fleet, domains, capabilities and a `bridge:` map; env overrides it.

  NATS_URL            nats://127.0.0.1:4222 (comma list)
  NATS_CREDS, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY
  FLEET_ID            required, identifier
  AGENT_ID            required, identifier
  TASK_DOMAINS        required, comma list of identifiers
  CAPABILITIES        comma list of <domain>.<action> for heartbeats   (<domain>.* per domain)
  MODEL_NAME          model named in heartbeats   (GATEWAY_MODEL in openai mode, else empty)
  KNIGHT_CONFIG       knight.yaml path   ($WORKSPACE_DIR/knight.yaml when present)
  GATEWAY_URL         http://127.0.0.1:18789
  GATEWAY_MODE        webhook | openai            (webhook)
  GATEWAY_MODEL       openclaw:main               (openai mode)
  GATEWAY_TOKEN       bearer token for the gateway
  GATEWAY_TIMEOUT     600s
  CLAIM_NOTICE_AFTER  100ms   task.claimed only for a gateway call not answered by then; 0: always
  MAX_CONCURRENCY     2
  PRIORITY_LOOKAHEAD  4   tasks held beyond free slots for priority ordering
  ACK_WAIT            30s
  MAX_DELIVER         5
  BACKOFF             2s,10s,30s,60s
  BREAKER_THRESHOLD   5   consecutive retryable gateway failures that pause intake
  BREAKER_COOLDOWN    30s before one probe task tests the gateway again
  HEARTBEAT_INTERVAL  30s   (plain seconds, e.g. 60, are read as seconds)
  HEALTH_PORT         8080   (HEALTH_HOST 0.0.0.0); 0: a free port, printed on stdout as
                      `listening <host>:<port>` and written to HEALTH_PORT_FILE when set
  REDIS_URL           optional, redis://[:password@]host:port[/db]
  STREAMS_AUTO_CREATE true
  STREAM_REPLICAS     1
  SHUTDOWN_GRACE      25s
  LOG_LEVEL           info    (trace|debug|info|warn|error)
  LOG_FORMAT          json    (json|text)

The Go nats-bridge's settings are read when ours are unset (ours win; a warning names each):
  SUBSCRIBE_TOPICS -> TASK_DOMAINS, OPENCLAW_WEBHOOK_URL -> GATEWAY_URL with GATEWAY_MODE=openai,
  OPENCLAW_HOOK_TOKEN / OPENCLAW_TOKEN -> GATEWAY_TOKEN, RESULT_PREFIX (only <fleet>.results).
  See docs/go-bridge.md.

Exit codes: 0 clean shutdown, 2 bad configuration, 1 anything else.
)";
}

namespace {

std::optional<std::filesystem::path> knight_file_path(const config::Settings& layered) {
  if (auto explicit_path = layered.optional_text("KNIGHT_CONFIG")) return std::filesystem::path(*explicit_path);
  auto workspace = layered.text("WORKSPACE_DIR", "/workspace");
  auto candidate = std::filesystem::path(workspace) / "knight.yaml";
  std::error_code ignored;
  if (std::filesystem::exists(candidate, ignored)) return candidate;
  return std::nullopt;
}

}  // namespace

BridgeConfig load_bridge_config(const std::vector<std::string>& args, const config::EnvMap& env) {
  config::Settings probe;
  probe.add_env(env);
  probe.add_flags(args, bridge_setting_names());
  config::Settings s;
  if (auto path = knight_file_path(probe)) s.add_file(config::read_knight_file_settings(*path), path->string());
  s.add_env(env);
  s.add_flags(args, bridge_setting_names());

  BridgeConfig c;
  c.notices = apply_go_bridge_aliases(s, env);
  c.fleet = s.identifier("FLEET_ID", std::nullopt);
  c.agent = s.identifier("AGENT_ID", std::nullopt);
  c.domains = s.identifier_list("TASK_DOMAINS", {});
  c.nats = config::nats_settings(s, "nats-bridge/" + c.agent);
  std::vector<std::string> default_capabilities;
  for (const auto& domain : c.domains) default_capabilities.push_back(domain + ".*");
  c.capabilities = s.list("CAPABILITIES", default_capabilities);
  c.gateway_url = s.text("GATEWAY_URL", c.gateway_url);
  auto gateway_base = http::split_base_url(c.gateway_url);
  if (!gateway_base)
    s.fail("GATEWAY_URL", "an http:// or https:// URL (a path prefix is kept; no query, fragment or spaces)", redact_url(c.gateway_url));
  c.gateway_url = gateway_base->origin + gateway_base->path;  // without trailing slashes
  c.gateway_mode = s.choice("GATEWAY_MODE", "webhook", {"webhook", "openai"}) == "openai" ? GatewayMode::openai : GatewayMode::webhook;
  c.gateway_model = s.text("GATEWAY_MODEL", c.gateway_model);
  c.model = s.text("MODEL_NAME", c.gateway_mode == GatewayMode::openai ? c.gateway_model : "");
  c.gateway_token = s.text("GATEWAY_TOKEN", "");
  c.gateway_timeout = s.duration("GATEWAY_TIMEOUT", c.gateway_timeout);
  c.claim_notice_after = s.duration("CLAIM_NOTICE_AFTER", std::min(c.claim_notice_after, c.gateway_timeout));
  if (c.claim_notice_after > c.gateway_timeout)
    s.fail("CLAIM_NOTICE_AFTER", "a duration no longer than GATEWAY_TIMEOUT", s.text("CLAIM_NOTICE_AFTER", ""));
  c.max_concurrency = static_cast<int>(s.integer("MAX_CONCURRENCY", c.max_concurrency, 1, 256));
  c.priority_lookahead = static_cast<int>(s.integer("PRIORITY_LOOKAHEAD", c.priority_lookahead, 0, 256));
  c.ack_wait = s.duration("ACK_WAIT", c.ack_wait);
  if (c.ack_wait < milliseconds(1000)) s.fail("ACK_WAIT", "a duration of at least 1s", s.text("ACK_WAIT", ""));
  c.max_deliver = static_cast<int>(s.integer("MAX_DELIVER", c.max_deliver, 1, 1000));
  c.backoff = s.duration_list("BACKOFF", c.backoff);
  c.breaker_threshold = static_cast<int>(s.integer("BREAKER_THRESHOLD", c.breaker_threshold, 1, 1000));
  c.breaker_cooldown = s.duration("BREAKER_COOLDOWN", c.breaker_cooldown);
  c.heartbeat_interval = s.duration("HEARTBEAT_INTERVAL", c.heartbeat_interval);
  if (c.heartbeat_interval < milliseconds(100)) s.fail("HEARTBEAT_INTERVAL", "a duration of at least 100ms", s.text("HEARTBEAT_INTERVAL", ""));
  c.health_port = static_cast<int>(s.integer("HEALTH_PORT", c.health_port, 0, 65535));
  c.health_host = s.text("HEALTH_HOST", c.health_host);
  c.health_port_file = s.text("HEALTH_PORT_FILE", "");
  c.redis_url = s.optional_text("REDIS_URL");
  if (c.redis_url)
    if (auto parsed = redis::parse_redis_url(*c.redis_url); !parsed) s.fail("REDIS_URL", "redis://[:password@]host[:port][/db]", "(hidden)");
  c.streams_auto_create = s.boolean("STREAMS_AUTO_CREATE", true);
  c.stream_replicas = static_cast<int>(s.integer("STREAM_REPLICAS", 1, 1, 5));
  c.shutdown_grace = s.duration("SHUTDOWN_GRACE", c.shutdown_grace);
  c.log.level = s.choice("LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error", "off"});
  c.log.format = s.choice("LOG_FORMAT", "json", {"json", "text"}) == "text" ? LogFormat::text : LogFormat::json;
  c.log.component = "bridge";
  c.log.context = {{"fleet", c.fleet}, {"agent", c.agent}};
  c.tracing = trace::exporter_settings(env, "nats-bridge");
  return c;
}

void log_config_notices(const BridgeConfig& config, const Logger& logger) {
  for (const auto& notice : config.notices) {
    if (notice.warning) logger.warn(notice.event, notice.fields);
    else logger.info(notice.event, notice.fields);
  }
}

}  // namespace rt::bridge
