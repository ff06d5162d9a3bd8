#pragma once
// GATEWAY_MODE=openai in front of OpenClaw (docs/openclaw.md): what proves the gateway ready
// (GET /v1/models with the token, listing the agent), which answers are deployment errors
// rather than a task's failure, and the per-task session key sent as `user`.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::bridge {

// "openclaw:main", "openclaw/main", "agent:main" -> "main"; nullopt for other model names.
std::optional<std::string> openclaw_agent(std::string_view model);

struct ProbeVerdict {
  bool ready = false;
  bool model_listed = false;  // the model list names GATEWAY_MODEL: proof the agent exists
  std::string reason;         // why not ready
};

// The answer to GET /v1/models. status 0: no HTTP answer (transport_error says why).
ProbeVerdict judge_models_probe(int status, std::string_view body, std::string_view transport_error, std::string_view model,
                                bool token_set);

// A chat-completion answer that says the deployment is wrong, not the task: the token refused
// (401/403), no such route (404), an unknown agent or model (400/404). nullopt otherwise.
std::optional<std::string> deployment_error(int status, std::string_view body, std::string_view model);

// The `user` sent with a task: OpenClaw keys its sessions on it. One session per task (the task
// id), unless the payload's `conversation` asks to continue one: then "<from>:<conversation>".
Result<std::string> session_user(const contract::Envelope& envelope);

// The openai gateway's deployment state between probes. Thread-safe.
class OpenAiReadiness {
 public:
  explicit OpenAiReadiness(std::chrono::milliseconds recheck);
  // A call met a deployment error: not ready until a probe lists the model, or `recheck` has
  // passed and a probe answers (then one task tries again).
  void flag(std::string reason);
  // Records a probe; true when tasks may go to the gateway.
  bool record_probe(const ProbeVerdict& verdict);
  std::optional<std::string> reason() const;

 private:
  std::chrono::milliseconds recheck_;
  mutable std::mutex mutex_;
  std::optional<std::string> reason_;
  bool flagged_ = false;
  std::chrono::steady_clock::time_point flagged_at_{};
};

}  // namespace rt::bridge
