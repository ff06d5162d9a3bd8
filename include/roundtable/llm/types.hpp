#pragma once
// A provider-neutral conversation: what the knight says to any LLM and what comes back.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"

namespace rt::llm {

struct Block {
  enum class Kind { text, tool_use, tool_result } kind = Kind::text;
  std::string text;             // text, or tool_result content
  std::string tool_id;          // tool_use id / tool_result's tool_use id
  std::string tool_name;        // tool_use
  nlohmann::json tool_input;    // tool_use
  bool is_error = false;        // tool_result

  static Block make_text(std::string text);
  static Block make_tool_use(std::string id, std::string name, nlohmann::json input);
  static Block make_tool_result(std::string id, std::string content, bool is_error);
};

struct Message {
  std::string role;  // "user" or "assistant"
  std::vector<Block> content;
};

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json input_schema = {{"type", "object"}};
};

struct Request {
  std::string model;
  std::string system;
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  int64_t max_tokens = 4000;
  std::optional<double> temperature;
  bool cache_system = true;  // Anthropic prompt caching on the system prompt
  // False: the tools are still listed (earlier tool turns stay valid, the cached prefix stays
  // the same) but the model is told to answer in text (tool_choice none).
  bool tools_allowed = true;
  // Work past this point is wasted: calls are cut short and retries stop.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;
  // Set by the gateway's metered provider from llm::PriceTable (pricing.hpp).
  int64_t cost_micro_usd = 0;
  bool cost_known = true;  // false once a call's model had no price
  Usage& operator+=(const Usage& other);
  int64_t total() const { return input_tokens + output_tokens; }
};

struct Response {
  std::string model;
  std::vector<Block> content;
  std::string stop_reason;  // end_turn | tool_use | max_tokens
  Usage usage;
  std::string text() const;  // all text blocks joined
  std::vector<Block> tool_uses() const;
};

// Why a call failed, with what the retry logic needs.
struct Failure {
  ErrorCode code = ErrorCode::model_error;
  std::string message;
  int http_status = 0;
  bool retryable = true;
  std::optional<std::chrono::milliseconds> retry_after;
};

struct Outcome {
  std::optional<Response> response;
  Failure failure;
  bool ok() const { return response.has_value(); }
  static Outcome success(Response r) { return Outcome{std::move(r), {}}; }
  static Outcome fail(Failure f) { return Outcome{std::nullopt, std::move(f)}; }
};

// HTTP status -> failure class: 408/429/5xx/529 retryable; spend limits never.
Failure failure_for_status(int status, const std::string& body, std::optional<std::chrono::milliseconds> retry_after);

// At most max_bytes of text, cut on a UTF-8 character boundary (messages quote API bodies).
std::string utf8_prefix(const std::string& text, size_t max_bytes);

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Outcome complete(const Request& request) = 0;
  virtual std::string name() const = 0;
};

}  // namespace rt::llm
