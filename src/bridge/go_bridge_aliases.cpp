#include "roundtable/bridge/go_bridge_aliases.hpp"

#include <algorithm>

#include "roundtable/common/strings.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/http/base_url.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

// The Go bridge's OPENCLAW_WEBHOOK_URL default, taken when a Go deployment left it unset.
constexpr const char* kGoDefaultWebhookUrl = "http://localhost:18789/hooks/agent";
constexpr size_t kMaxPlainSecondsDigits = 9;

const std::vector<std::string>& go_only_names() {
  static const std::vector<std::string> names{"SUBSCRIBE_TOPICS", "OPENCLAW_WEBHOOK_URL", "OPENCLAW_HOOK_TOKEN", "OPENCLAW_TOKEN",
                                              "RESULT_PREFIX"};
  return names;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class AliasReader {
 public:
  AliasReader(config::Settings& layered, const config::EnvMap& env) : s_(layered), env_(env) {}

  // The alias's value from the environment (empty counts as unset, as in the Go bridge).
  std::optional<std::string> go_value(const std::string& alias) const {
    auto it = env_.find(alias);
    if (it == env_.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  bool ours_set(const std::string& setting) const { return s_.optional_text(setting).has_value(); }

  // The alias's value when it applies: present and ours unset. When ours is set, notes that the
  // alias was ignored.
  std::optional<std::string> take(const std::string& alias, const std::string& setting) {
    auto value = go_value(alias);
    if (!value) return std::nullopt;
    if (ours_set(setting)) {
      note(true, alias, setting, "ignored", setting + " is set (" + s_.origin(setting) + ") and wins");
      return std::nullopt;
    }
    return value;
  }

  void set(const std::string& setting, const std::string& value, const std::string& alias, const std::string& why) {
    s_.add_file({{setting, value}}, "environment " + alias + " (Go nats-bridge alias of " + setting + ")");
    note(true, alias, setting, "used", why);
  }

  void note(bool warning, const std::string& alias, const std::string& setting, const std::string& outcome, const std::string& why) {
    notices_.push_back(ConfigNotice{warning, "config.go_bridge_alias",
                                    json{{"alias", alias}, {"setting", setting}, {"outcome", outcome}, {"note", why}}});
  }

  // Stops the start (exit 2) with one line naming the alias; `shown` is never a token.
  [[noreturn]] void refuse(const std::string& alias, const std::string& setting, const std::string& expected,
                           const std::string& shown) const {
    std::string got = shown.size() > 120 ? shown.substr(0, 120) + "..." : shown;
    throw config::ConfigError(alias, "invalid setting " + alias + " (Go nats-bridge alias of " + setting + "): expected " + expected +
                                         ", got '" + got + "'");
  }

  config::Settings& settings() { return s_; }
  std::vector<ConfigNotice> notices() { return std::move(notices_); }

 private:
  config::Settings& s_;
  const config::EnvMap& env_;
  std::vector<ConfigNotice> notices_;
};

// SUBSCRIBE_TOPICS: a comma list of subjects; each must be a whole domain of this fleet.
void map_subscribe_topics(AliasReader& r) {
  const std::string alias = "SUBSCRIBE_TOPICS", setting = "TASK_DOMAINS";
  auto value = r.take(alias, setting);
  if (!value) return;
  const std::string fleet = r.settings().identifier("FLEET_ID", std::nullopt);
  const std::string shape = "comma list of " + fleet + ".tasks.<domain>.> (FLEET_ID " + fleet + ")";
  std::vector<std::string> domains;
  for (const auto& item : split(*value, ',')) {
    std::string subject = trim(item);
    if (subject.empty()) continue;
    auto tokens = split(subject, '.');
    if (tokens.size() == 3 && tokens[0] == fleet && tokens[1] == "tasks" && tokens[2] == ">")
      r.refuse(alias, setting, "one subject per domain, " + fleet + ".tasks.<domain>.>: this bridge binds one consumer per domain, so it "
               "must know them (or set TASK_DOMAINS)", subject);
    if (tokens.size() != 4 || tokens[0] != fleet || tokens[1] != "tasks" || !contract::is_identifier(tokens[2]))
      r.refuse(alias, setting, "a " + shape, subject);
    if (tokens[3] != ">" && tokens[3] != "*")
      r.refuse(alias, setting, "whole domains, " + fleet + ".tasks." + tokens[2] + ".>: this bridge takes every action of a domain, "
               "so a subject naming one action would silently widen what the knight takes", subject);
    if (std::find(domains.begin(), domains.end(), tokens[2]) == domains.end()) domains.push_back(tokens[2]);
  }
  if (domains.empty()) r.refuse(alias, setting, "a " + shape, *value);
  r.set(setting, join(domains, ","), alias, "subjects read as the domains " + join(domains, ","));
}

// OPENCLAW_WEBHOOK_URL: the Go bridge posted to OpenClaw's /hooks/agent, which only answers a
// receipt ({ok, runId}); the answer itself never comes back over that route. So the same gateway
// is called on its OpenAI-compatible /v1/chat/completions, which answers with the result.
void map_webhook_url(AliasReader& r, bool go_deployment) {
  const std::string alias = "OPENCLAW_WEBHOOK_URL";
  auto value = r.go_value(alias);
  if (r.ours_set("GATEWAY_URL")) {
    if (value) r.take(alias, "GATEWAY_URL");
    return;
  }
  if (!value) {
    // A Go deployment that left it unset relied on the Go default, unless it chose our mode.
    if (!go_deployment || r.ours_set("GATEWAY_MODE")) return;
    value = kGoDefaultWebhookUrl;
  }
  std::string url = *value;
  auto split = http::split_base_url(url);
  if (!split) r.refuse(alias, "GATEWAY_URL", "an http:// or https:// URL without query, fragment or spaces", redact_url(url));
  std::string path = split->path;
  // A proxy's path prefix (/openclaw/hooks/agent) is kept: GATEWAY_URL's routes hang under its path.
  bool known_route = path.empty();
  for (std::string_view route : {"/hooks/agent", "/v1/chat/completions"})
    if (!known_route && path.ends_with(route)) {
      path.resize(path.size() - route.size());
      known_route = true;
    }
  if (!known_route)
    r.refuse(alias, "GATEWAY_URL", "OpenClaw's http(s)://host:port[/prefix]/hooks/agent or .../v1/chat/completions (or set "
             "GATEWAY_URL and GATEWAY_MODE)", redact_url(url));
  const std::string base = split->origin + path;
  if (r.ours_set("GATEWAY_MODE") && to_lower(r.settings().text("GATEWAY_MODE", "")) == "webhook")
    r.refuse(alias, "GATEWAY_URL", "GATEWAY_MODE openai with OpenClaw: GATEWAY_MODE=webhook posts to <base>/webhook (knight-gateway), and "
             "OpenClaw's /hooks/agent answers only a receipt, never a result", redact_url(url));
  std::string why = r.go_value(alias) ? "gateway base URL from " + redact_url(url)
                                      : "unset, so the Go bridge's default " + std::string(kGoDefaultWebhookUrl) + " applies";
  r.set("GATEWAY_URL", base, alias, why);
  if (!r.ours_set("GATEWAY_MODE"))
    r.set("GATEWAY_MODE", "openai", alias, "tasks go to OpenClaw's /v1/chat/completions, which answers with the result; /hooks/agent "
          "only acknowledges a run (enable gateway.http.endpoints.chatCompletions, docs/openclaw.md)");
}

// OPENCLAW_HOOK_TOKEN, else OPENCLAW_TOKEN (the Go bridge's order).
void map_token(AliasReader& r) {
  const std::string setting = "GATEWAY_TOKEN";
  const char* note = "bearer token for the gateway; OpenClaw's /v1 routes take the gateway token (gateway.auth.token), which may "
                     "differ from hooks.token: /readyz says so when it is refused";
  auto hook_token = r.take("OPENCLAW_HOOK_TOKEN", setting);
  if (hook_token) {
    r.set(setting, *hook_token, "OPENCLAW_HOOK_TOKEN", note);
    if (r.go_value("OPENCLAW_TOKEN")) r.note(true, "OPENCLAW_TOKEN", setting, "ignored", "OPENCLAW_HOOK_TOKEN is set and wins");
    return;
  }
  if (auto token = r.take("OPENCLAW_TOKEN", setting)) r.set(setting, *token, "OPENCLAW_TOKEN", note);
}

// RESULT_PREFIX: results live on <fleet>.results.<domain>.<task-id>, where requesters and the
// results stream look; the Go default <fleet>.results is the same thing, anything else is not.
void check_result_prefix(AliasReader& r) {
  const std::string alias = "RESULT_PREFIX";
  auto value = r.go_value(alias);
  if (!value) return;
  const std::string fleet = r.settings().identifier("FLEET_ID", std::nullopt);
  std::string prefix = *value;
  while (!prefix.empty() && prefix.back() == '.') prefix.pop_back();
  if (prefix != fleet + ".results")
    r.refuse(alias, "the result subject", fleet + ".results (results are published on <fleet>.results.<domain>.<task-id>, where "
             "requesters and the ROUNDTABLE_RESULTS stream look; another prefix would hide every answer)", *value);
  r.note(false, alias, "the result subject", "matches", "results go to " + fleet + ".results.<domain>.<task-id> as before");
}

// HEARTBEAT_INTERVAL in plain seconds, as the Go bridge reads it ("60"); ours takes durations.
void read_plain_seconds(AliasReader& r) {
  const std::string name = "HEARTBEAT_INTERVAL";
  auto value = r.settings().optional_text(name);
  if (!value || !all_digits(*value)) return;
  if (value->size() > kMaxPlainSecondsDigits || std::stoll(*value) == 0)
    throw config::ConfigError(name, "invalid setting " + name + " (from " + r.settings().origin(name) +
                                        "): expected a positive number of seconds (as the Go nats-bridge took it) or a duration like 30s, got '" +
                                        *value + "'");
  std::string origin = r.settings().origin(name);
  r.settings().add_file({{name, *value + "s"}}, origin + ", plain seconds");
  r.note(false, name, name, "plain_seconds", "read as " + *value + "s, as the Go nats-bridge reads it");
}

}  // namespace

std::vector<ConfigNotice> apply_go_bridge_aliases(config::Settings& layered, const config::EnvMap& env) {
  AliasReader reader(layered, env);
  bool go_deployment = std::any_of(go_only_names().begin(), go_only_names().end(),
                                   [&](const std::string& name) { return reader.go_value(name).has_value(); });
  map_subscribe_topics(reader);
  map_webhook_url(reader, go_deployment);
  map_token(reader);
  check_result_prefix(reader);
  read_plain_seconds(reader);
  return reader.notices();
}

}  // namespace rt::bridge
