#include "roundtable/llm/types.hpp"

#include "roundtable/common/strings.hpp"
#include "roundtable/http/base_url.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::llm {

Block Block::make_text(std::string text) {
  Block b;
  b.text = std::move(text);
  return b;
}

Block Block::make_tool_use(std::string id, std::string name, nlohmann::json input) {
  Block b;
  b.kind = Kind::tool_use;
  b.tool_id = std::move(id);
  b.tool_name = std::move(name);
  b.tool_input = std::move(input);
  return b;
}

Block Block::make_tool_result(std::string id, std::string content, bool is_error) {
  Block b;
  b.kind = Kind::tool_result;
  b.tool_id = std::move(id);
  b.text = std::move(content);
  b.is_error = is_error;
  return b;
}

Usage& Usage::operator+=(const Usage& other) {
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_tokens += other.cache_read_tokens;
  cache_write_tokens += other.cache_write_tokens;
  cost_micro_usd += other.cost_micro_usd;
  cost_known = cost_known && other.cost_known;
  return *this;
}

std::string Response::text() const {
  std::string out;
  for (const auto& block : content)
    if (block.kind == Block::Kind::text) out += (out.empty() ? "" : "\n") + block.text;
  return out;
}

std::vector<Block> Response::tool_uses() const {
  std::vector<Block> out;
  for (const auto& block : content)
    if (block.kind == Block::Kind::tool_use) out.push_back(block);
  return out;
}

std::string utf8_prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

Failure failure_for_status(int status, const std::string& body, std::optional<std::chrono::milliseconds> retry_after) {
  Failure f;
  f.http_status = status;
  f.retry_after = retry_after;
  f.message = "LLM API answered HTTP " + std::to_string(status) + ": " + utf8_prefix(body, 300);
  std::string lower = to_lower(body);
  bool spend_limit = status == 402 || lower.find("credit balance") != std::string::npos ||
                     lower.find("billing") != std::string::npos || lower.find("spend limit") != std::string::npos ||
                     lower.find("insufficient_quota") != std::string::npos;
  if (spend_limit) {
    f.code = ErrorCode::model_error;
    f.retryable = false;
    f.message = "LLM spend limit reached (not retried): " + utf8_prefix(body, 300);
  } else if (status == 429) {
    f.code = ErrorCode::rate_limited;
  } else if (status == 408 || status >= 500) {
    f.code = ErrorCode::model_error;
  } else {
    f.code = ErrorCode::model_error;  // a request the API will never accept as it is
    f.retryable = false;
  }
  return f;
}

}  // namespace rt::llm

namespace rt::llm {

ApiEndpoint api_endpoint(const std::string& base_url, const std::string& default_origin, const std::string& api_path) {
  const std::string& url = base_url.empty() ? default_origin : base_url;
  auto base = http::split_base_url(url);
  if (!base) return ApiEndpoint{url, api_path};  // refused at start (gateway config): not reached
  // ".../v1" + "/v1/messages" must not become "/v1/v1/messages".
  auto unversioned = http::without_trailing_version(std::move(*base), api_path.substr(0, api_path.find('/', 1)));
  return ApiEndpoint{std::move(unversioned.origin), unversioned.route(api_path)};
}

}  // namespace rt::llm
