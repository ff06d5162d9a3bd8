#include "roundtable/bridge/openai_probe.hpp"

#include <algorithm>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::bridge {
namespace {

constexpr size_t kMaxConversationLength = 128;
constexpr size_t kMaxModelsBytes = 1 << 20;
constexpr size_t kModelsNamedInReason = 8;
constexpr const char* kEnableHint = "enable OpenClaw's OpenAI-compatible endpoint (gateway.http.endpoints.chatCompletions.enabled)";

bool contains_lower(std::string_view text, std::string_view needle) { return to_lower(text).find(needle) != std::string::npos; }

// data[].id of an OpenAI model list; nullopt when the body is not one.
std::optional<std::vector<std::string>> model_ids(std::string_view body) {
  auto doc = parse_json_bounded(body, {.max_depth = 16, .max_bytes = kMaxModelsBytes});
  if (!doc || !doc->is_object()) return std::nullopt;
  auto data = doc->find("data");
  if (data == doc->end() || !data->is_array()) return std::nullopt;
  std::vector<std::string> ids;
  for (const auto& entry : *data)
    if (entry.is_object())
      if (auto id = entry.find("id"); id != entry.end() && id->is_string()) ids.push_back(id->get<std::string>());
  return ids;
}

bool lists_model(const std::vector<std::string>& ids, std::string_view model) {
  auto agent = openclaw_agent(model);
  return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return id == model || (agent && openclaw_agent(id) == agent); });
}

std::string named(const std::vector<std::string>& ids) {
  if (ids.empty()) return "none";
  std::vector<std::string> shown(ids.begin(), ids.begin() + static_cast<long>(std::min(ids.size(), kModelsNamedInReason)));
  return join(shown, ", ") + (ids.size() > shown.size() ? ", ..." : "");
}

}  // namespace

std::optional<std::string> openclaw_agent(std::string_view model) {
  for (std::string_view prefix : {"openclaw:", "openclaw/", "agent:"})
    if (starts_with(model, prefix) && model.size() > prefix.size()) return std::string(model.substr(prefix.size()));
  return std::nullopt;
}

ProbeVerdict judge_models_probe(int status, std::string_view body, std::string_view transport_error, std::string_view model,
                                bool token_set) {
  ProbeVerdict verdict;
  if (status == 0) {
    verdict.reason = "gateway unreachable: " + std::string(transport_error);
    return verdict;
  }
  if (status == 401 || status == 403) {
    verdict.reason = token_set ? "gateway rejected the token (HTTP " + std::to_string(status) +
                                     " on GET /v1/models): GATEWAY_TOKEN must be the gateway's token (OpenClaw: gateway.auth.token)"
                               : "gateway requires a token (HTTP " + std::to_string(status) + " on GET /v1/models): set GATEWAY_TOKEN";
    return verdict;
  }
  if (status >= 500) {
    verdict.reason = "gateway answered HTTP " + std::to_string(status) + " on GET /v1/models";
    return verdict;
  }
  auto ids = status >= 200 && status < 300 ? model_ids(body) : std::nullopt;
  if (ids) {
    verdict.model_listed = lists_model(*ids, model);
    verdict.ready = verdict.model_listed || !openclaw_agent(model);
    if (!verdict.ready)
      verdict.reason = "unknown agent/model " + std::string(model) + ": GET /v1/models lists " + named(*ids) +
                       " (GATEWAY_MODEL names the agent: openclaw:<agentId>)";
    return verdict;
  }
  // No list to check (an older gateway without the route, a server that keeps it elsewhere, or
  // answers something else): the first task tells, and a deployment error then holds the tasks.
  verdict.ready = true;
  return verdict;
}

std::optional<std::string> deployment_error(int status, std::string_view body, std::string_view model) {
  std::string detail = excerpt(body, 200);
  if (status == 401 || status == 403)
    return "gateway rejected the token (HTTP " + std::to_string(status) + "): GATEWAY_TOKEN must be the gateway's token";
  if (status != 400 && status != 404) return std::nullopt;
  if (contains_lower(body, "unknown agent") || contains_lower(body, "unknown model") || contains_lower(body, "model_not_found") ||
      contains_lower(body, "model not found"))
    return "unknown agent/model " + std::string(model) + ": gateway answered HTTP " + std::to_string(status) + ": " + detail;
  if (status == 404) return "gateway has no /v1/chat/completions (HTTP 404): " + std::string(kEnableHint);
  return std::nullopt;
}

Result<std::string> session_user(const contract::Envelope& envelope) {
  auto conversation = envelope.payload.find("conversation");
  if (conversation == envelope.payload.end() || conversation->is_null()) return envelope.id;
  auto invalid = [] {
    return make_error(ErrorCode::invalid_params, "payload field 'conversation' must be a string of 1 to " +
                                                     std::to_string(kMaxConversationLength) + " printable characters");
  };
  if (!conversation->is_string()) return invalid();
  const auto& text = conversation->get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxConversationLength ||
      std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return invalid();
  return envelope.from + ":" + text;
}

OpenAiReadiness::OpenAiReadiness(std::chrono::milliseconds recheck) : recheck_(recheck) {}

void OpenAiReadiness::flag(std::string reason) {
  std::lock_guard lock(mutex_);
  reason_ = std::move(reason);
  flagged_ = true;
  flagged_at_ = std::chrono::steady_clock::now();
}

bool OpenAiReadiness::record_probe(const ProbeVerdict& verdict) {
  std::lock_guard lock(mutex_);
  if (!verdict.ready) {
    reason_ = verdict.reason;
    return false;
  }
  if (flagged_ && !verdict.model_listed && std::chrono::steady_clock::now() < flagged_at_ + recheck_) return false;
  flagged_ = false;
  reason_.reset();
  return true;
}

std::optional<std::string> OpenAiReadiness::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

}  // namespace rt::bridge
