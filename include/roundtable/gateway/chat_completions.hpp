#pragma once
// The OpenAI-compatible face of a knight (docs/contract.md §6, docs/chat-clients.md): the
// chat request read into a Conversation, and the answer written as a completion, as SSE
// chunks, or as an error, in the shapes the official SDKs accept. Pure functions; the HTTP
// route is Gateway::handle_chat.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/gateway/agent.hpp"
#include "roundtable/llm/types.hpp"

namespace rt::gateway {

struct ChatRequest {
  Conversation conversation;
  bool stream = false;
  bool include_usage = false;   // stream_options.include_usage: a last chunk with usage, choices []
  std::string requested_model;  // as sent; empty when absent
};

// Error: invalid_params with the reason for a 400.
Result<ChatRequest> parse_chat_request(const nlohmann::json& body);

// What every completion and chunk of one answer shares.
struct ChatStamp {
  std::string id;  // chatcmpl-<uuid>
  int64_t created = 0;
  std::string model;  // the knight's listed model id (models_route.hpp)
};

nlohmann::json chat_usage(const llm::Usage& usage);
nlohmann::json chat_completion(const ChatStamp& stamp, const std::string& content, const llm::Usage& usage);
// The whole SSE body: a role chunk, content chunks cut on UTF-8 boundaries, a finish chunk,
// with include_usage a usage chunk with `choices: []` (every other chunk then has
// `"usage": null`, as OpenAI sends it), and `data: [DONE]`.
std::string chat_event_stream(const ChatStamp& stamp, const std::string& content, const llm::Usage& usage, bool include_usage);
// {"error":{"message","type","code"}}; type from the HTTP status (429 rate_limit_error, 4xx
// invalid_request_error, else api_error) unless given.
nlohmann::json chat_error(int status, const std::string& message, const std::string& code, const std::string& type = "");
// The HTTP status of a failed answer on this route.
int chat_failure_status(ErrorCode code);

}  // namespace rt::gateway
