// OpenAI chat completions (and every server that speaks it).
#include "http_call.hpp"
#include "request_text.hpp"
#include "roundtable/llm/providers.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

json messages_json(const Request& r) {
  json out = json::array({{{"role", "system"}, {"content", r.system}}});
  for (const auto& m : r.messages) {
    std::string text;
    json tool_calls = json::array();
    json tool_messages = json::array();
    for (const auto& b : m.content) {
      if (b.kind == Block::Kind::text) text += (text.empty() ? "" : "\n") + b.text;
      else if (b.kind == Block::Kind::tool_use)
        tool_calls.push_back({{"id", b.tool_id}, {"type", "function"},
                              {"function", {{"name", b.tool_name}, {"arguments", wire_text(b.tool_input)}}}});
      else tool_messages.push_back({{"role", "tool"}, {"tool_call_id", b.tool_id}, {"content", b.text}});
    }
    if (m.role == "assistant") {
      json message = {{"role", "assistant"}, {"content", text.empty() ? json(nullptr) : json(text)}};
      if (!tool_calls.empty()) message["tool_calls"] = tool_calls;
      out.push_back(message);
    } else {
      // Tool answers must directly follow the assistant turn that asked for them.
      for (auto& tool_message : tool_messages) out.push_back(std::move(tool_message));
      if (!text.empty()) out.push_back({{"role", "user"}, {"content", text}});
    }
  }
  return out;
}

int64_t int_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? clamped_integer(*it, 0, kMaxUsageTokens).value_or(0) : 0;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

class OpenAi final : public Provider {
 public:
  explicit OpenAi(ProviderSettings s)
      : settings_(std::move(s)), endpoint_(api_endpoint(settings_.base_url, "https://api.openai.com", "/v1/chat/completions")),
        pool_(endpoint_.origin, settings_.timeout) {}

  std::string name() const override { return "openai"; }

  Outcome complete(const Request& request) override {
    httplib::Headers headers;
    if (!settings_.api_key.empty()) headers.emplace("Authorization", "Bearer " + settings_.api_key);
    Failure transport;
    auto answer = post_json(pool_, endpoint_.path, headers, openai_request_text(request, tools_), call_timeout(settings_.timeout, request),
                            transport);
    if (!answer) return Outcome::fail(transport);
    if (answer->status != 200) return Outcome::fail(failure_for_status(answer->status, answer->body, answer->retry_after));
    return openai_response(answer->body, request.model);
  }

 private:
  ProviderSettings settings_;
  ApiEndpoint endpoint_;
  http::HttpClientPool pool_;
  ToolsText tools_;
};

json tools_json(const std::vector<ToolSpec>& tools) {
  json out = json::array();
  for (const auto& t : tools)
    out.push_back({{"type", "function"}, {"function", {{"name", t.name}, {"description", t.description}, {"parameters", t.input_schema}}}});
  return out;
}

// Everything but "tools".
json request_head(const Request& request) {
  json body = {{"model", request.model}, {"messages", messages_json(request)}, {"max_tokens", request.max_tokens}};
  if (request.temperature) body["temperature"] = *request.temperature;
  if (!request.tools.empty() && !request.tools_allowed) body["tool_choice"] = "none";
  return body;
}

}  // namespace

json openai_request(const Request& request) {
  json body = request_head(request);
  if (!request.tools.empty()) body["tools"] = tools_json(request.tools);
  return body;
}

std::string openai_request_text(const Request& request, ToolsText& tools) {
  std::string text = wire_text(request_head(request));
  if (!request.tools.empty()) append_last_member(text, "tools", tools.text(request.tools, tools_json));
  return text;
}

// A call's arguments: a JSON object in a string (an object as it is, from lenient servers). What
// is not an object stays as it came, as text, so the agent tells the model instead of running
// the tool with arguments it never gave.
json tool_arguments(const json& function) {
  auto raw = function.find("arguments");
  if (raw == function.end() || raw->is_null()) return json::object();
  if (raw->is_object()) return *raw;
  std::string text = raw->is_string() ? raw->get<std::string>() : raw->dump();
  if (text.empty()) return json::object();
  auto input = parse_json_bounded(text, {.max_depth = kMaxAnswerDepth, .max_bytes = kMaxAnswerBytes});
  return input && input->is_object() ? *input : json(text);
}

Outcome openai_response(const std::string& text, const std::string& requested_model) {
  auto parsed = parse_json_bounded(text, {.max_depth = kMaxAnswerDepth, .max_bytes = kMaxAnswerBytes});
  if (!parsed) return Outcome::fail(Failure{ErrorCode::model_error, "chat completion unusable: " + parsed.error().message, 200, true, std::nullopt});
  const json& doc = *parsed;
  if (!doc.is_object() || !doc.contains("choices") || !doc["choices"].is_array() || doc["choices"].empty() ||
      !doc["choices"][0].is_object())
    return Outcome::fail(Failure{ErrorCode::model_error, "chat completion has no choices", 200, true, std::nullopt});
  const json& choice = doc["choices"][0];
  json message = choice.contains("message") && choice["message"].is_object() ? choice["message"] : json::object();
  Response response;
  response.model = doc.contains("model") && doc["model"].is_string() ? doc["model"].get<std::string>() : requested_model;
  std::string finish = string_field(choice, "finish_reason");
  response.stop_reason = finish == "tool_calls" ? "tool_use" : finish == "length" ? "max_tokens" : "end_turn";
  if (message.contains("content") && message["content"].is_string())
    response.content.push_back(Block::make_text(message["content"].get<std::string>()));
  if (message.contains("tool_calls") && message["tool_calls"].is_array())
    for (const auto& call : message["tool_calls"]) {
      if (!call.is_object()) continue;
      json function = call.contains("function") && call["function"].is_object() ? call["function"] : json::object();
      response.content.push_back(Block::make_tool_use(string_field(call, "id"), string_field(function, "name"), tool_arguments(function)));
    }
  if (!response.tool_uses().empty()) response.stop_reason = "tool_use";
  if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
    response.usage.input_tokens = int_field(*usage, "prompt_tokens");
    response.usage.output_tokens = int_field(*usage, "completion_tokens");
    if (auto details = usage->find("prompt_tokens_details"); details != usage->end() && details->is_object())
      response.usage.cache_read_tokens = int_field(*details, "cached_tokens");
    // OpenAI counts cached tokens inside prompt_tokens; keep input as the uncached part, as Anthropic does.
    response.usage.input_tokens = std::max<int64_t>(0, response.usage.input_tokens - response.usage.cache_read_tokens);
  }
  return Outcome::success(std::move(response));
}

std::unique_ptr<Provider> make_openai(ProviderSettings settings) { return std::make_unique<OpenAi>(std::move(settings)); }

}  // namespace rt::llm
