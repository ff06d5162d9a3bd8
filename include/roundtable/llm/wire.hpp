#pragma once
// The wire shapes of the two HTTP APIs, apart from the transport so they can be checked alone.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/llm/types.hpp"

namespace rt::llm {

// Limits on what an LLM API may answer: larger or deeper answers are a model_error.
inline constexpr size_t kMaxAnswerBytes = size_t{16} << 20;
inline constexpr size_t kMaxAnswerDepth = 128;
inline constexpr int64_t kMaxUsageTokens = 1'000'000'000'000;  // per answer; larger counts are clamped

// Anthropic Messages API (POST /v1/messages).
nlohmann::json anthropic_request(const Request& request);
Outcome anthropic_response(const std::string& body, const std::string& requested_model);

// OpenAI chat completions (POST /v1/chat/completions).
nlohmann::json openai_request(const Request& request);
Outcome openai_response(const std::string& body, const std::string& requested_model);

// Where to POST: LLM_BASE_URL may carry a path prefix (a proxy at https://host/api, or a
// base URL ending in /v1 as OpenAI SDKs write it); the client connects to the origin and
// posts to prefix + api_path.
struct ApiEndpoint {
  std::string origin;  // scheme://host[:port]
  std::string path;    // e.g. /api/v1/chat/completions
};
ApiEndpoint api_endpoint(const std::string& base_url, const std::string& default_origin, const std::string& api_path);

// JSON text for the wire: invalid UTF-8 (say, from a skill's output) becomes U+FFFD
// instead of an exception.
std::string wire_text(const nlohmann::json& value);

// The "tools" member of a request, serialised once per tool set: the agent offers the same
// tools on every call, and building and serialising their schemas each time was a tenth of
// what a task cost the gateway. Thread-safe; one per provider.
class ToolsText {
 public:
  using Render = nlohmann::json (*)(const std::vector<ToolSpec>& tools);
  // wire_text(render(tools)), from the cache while `tools` equal the last ones rendered.
  std::string text(const std::vector<ToolSpec>& tools, Render render);

 private:
  std::mutex mutex_;
  std::optional<std::vector<ToolSpec>> tools_;
  std::string text_;
};

// Byte for byte wire_text(<api>_request(request)), its tools taken from `tools`.
std::string anthropic_request_text(const Request& request, ToolsText& tools);
std::string openai_request_text(const Request& request, ToolsText& tools);

}  // namespace rt::llm
