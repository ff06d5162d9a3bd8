// Anthropic Messages API.
#include "http_call.hpp"
#include "request_text.hpp"
#include "roundtable/llm/providers.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

json block_to_json(const Block& b) {
  switch (b.kind) {
    case Block::Kind::tool_use: return {{"type", "tool_use"}, {"id", b.tool_id}, {"name", b.tool_name}, {"input", b.tool_input}};
    case Block::Kind::tool_result:
      return {{"type", "tool_result"}, {"tool_use_id", b.tool_id}, {"content", b.text}, {"is_error", b.is_error}};
    default: return {{"type", "text"}, {"text", b.text}};
  }
}

int64_t int_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? clamped_integer(*it, 0, kMaxUsageTokens).value_or(0) : 0;
}

class Anthropic final : public Provider {
 public:
  explicit Anthropic(ProviderSettings s)
      : settings_(std::move(s)), endpoint_(api_endpoint(settings_.base_url, "https://api.anthropic.com", "/v1/messages")),
        pool_(endpoint_.origin, settings_.timeout) {}

  std::string name() const override { return "anthropic"; }

  Outcome complete(const Request& request) override {
    httplib::Headers headers{{"x-api-key", settings_.api_key}, {"anthropic-version", "2023-06-01"}};
    Failure transport;
    auto answer = post_json(pool_, endpoint_.path, headers, anthropic_request_text(request, tools_), call_timeout(settings_.timeout, request), transport);
    if (!answer) return Outcome::fail(transport);
    if (answer->status != 200) return Outcome::fail(failure_for_status(answer->status, answer->body, answer->retry_after));
    return anthropic_response(answer->body, request.model);
  }

 private:
  ProviderSettings settings_;
  ApiEndpoint endpoint_;
  http::HttpClientPool pool_;
  ToolsText tools_;
};

json tools_json(const std::vector<ToolSpec>& tools) {
  json out = json::array();
  for (const auto& t : tools) out.push_back({{"name", t.name}, {"description", t.description}, {"input_schema", t.input_schema}});
  return out;
}

}  // namespace

namespace {

// Everything but "tools".
json anthropic_request_head(const Request& r) {
  json system = json::array({{{"type", "text"}, {"text", r.system}}});
  // Tools come before the system prompt in the cached prefix, so one breakpoint here caches both.
  if (r.cache_system) system[0]["cache_control"] = {{"type", "ephemeral"}};
  json messages = json::array();
  for (const auto& m : r.messages) {
    json content = json::array();
    for (const auto& b : m.content) content.push_back(block_to_json(b));
    messages.push_back({{"role", m.role}, {"content", content}});
  }
  // In a tool loop every call resends the conversation so far: a second breakpoint on its end
  // lets the next iteration read that prefix from the cache instead of paying for it again.
  if (r.cache_system && messages.size() > 1 && !messages.back()["content"].empty())
    messages.back()["content"].back()["cache_control"] = {{"type", "ephemeral"}};
  json body = {{"model", r.model}, {"max_tokens", r.max_tokens}, {"system", system}, {"messages", messages}};
  if (r.temperature) body["temperature"] = *r.temperature;
  // The API refuses tool_use/tool_result turns without tool definitions, so a last turn
  // that must answer in text keeps the tools and forbids their use.
  if (!r.tools.empty() && !r.tools_allowed) body["tool_choice"] = {{"type", "none"}};
  return body;
}

}  // namespace

json anthropic_request(const Request& r) {
  json body = anthropic_request_head(r);
  if (!r.tools.empty()) body["tools"] = tools_json(r.tools);
  return body;
}

std::string anthropic_request_text(const Request& request, ToolsText& tools) {
  std::string text = wire_text(anthropic_request_head(request));
  if (!request.tools.empty()) append_last_member(text, "tools", tools.text(request.tools, tools_json));
  return text;
}

Outcome anthropic_response(const std::string& body, const std::string& requested_model) {
  auto parsed = parse_json_bounded(body, {.max_depth = kMaxAnswerDepth, .max_bytes = kMaxAnswerBytes});
  if (!parsed) return Outcome::fail(Failure{ErrorCode::model_error, "Anthropic answer unusable: " + parsed.error().message, 200, true, std::nullopt});
  const json& doc = *parsed;
  if (!doc.is_object() || !doc.contains("content") || !doc["content"].is_array())
    return Outcome::fail(Failure{ErrorCode::model_error, "Anthropic answer has no content array", 200, true, std::nullopt});
  Response response;
  response.model = doc.contains("model") && doc["model"].is_string() ? doc["model"].get<std::string>() : requested_model;
  if (doc.contains("stop_reason") && doc["stop_reason"].is_string()) response.stop_reason = doc["stop_reason"].get<std::string>();
  for (const auto& block : doc["content"]) {
    if (!block.is_object()) continue;
    std::string type = block.contains("type") && block["type"].is_string() ? block["type"].get<std::string>() : "";
    if (type == "text" && block.contains("text") && block["text"].is_string()) {
      response.content.push_back(Block::make_text(block["text"].get<std::string>()));
    } else if (type == "tool_use") {
      json input = block.contains("input") && block["input"].is_object() ? block["input"] : json::object();
      std::string id = block.contains("id") && block["id"].is_string() ? block["id"].get<std::string>() : "";
      std::string name = block.contains("name") && block["name"].is_string() ? block["name"].get<std::string>() : "";
      response.content.push_back(Block::make_tool_use(id, name, input));
    }
  }
  if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
    response.usage.input_tokens = int_field(*usage, "input_tokens");
    response.usage.output_tokens = int_field(*usage, "output_tokens");
    response.usage.cache_read_tokens = int_field(*usage, "cache_read_input_tokens");
    response.usage.cache_write_tokens = int_field(*usage, "cache_creation_input_tokens");
  }
  return Outcome::success(std::move(response));
}

std::string wire_text(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::unique_ptr<Provider> make_anthropic(ProviderSettings settings) { return std::make_unique<Anthropic>(std::move(settings)); }

}  // namespace rt::llm
