// Anthropic Messages API.
#include "http_call.hpp"
#include "roundtable/llm/providers.hpp"

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

json request_body(const Request& r) {
  json system = json::array({{{"type", "text"}, {"text", r.system}}});
  if (r.cache_system) system[0]["cache_control"] = {{"type", "ephemeral"}};
  json messages = json::array();
  for (const auto& m : r.messages) {
    json content = json::array();
    for (const auto& b : m.content) content.push_back(block_to_json(b));
    messages.push_back({{"role", m.role}, {"content", content}});
  }
  json body = {{"model", r.model}, {"max_tokens", r.max_tokens}, {"system", system}, {"messages", messages}};
  if (r.temperature) body["temperature"] = *r.temperature;
  if (!r.tools.empty()) {
    body["tools"] = json::array();
    for (const auto& t : r.tools)
      body["tools"].push_back({{"name", t.name}, {"description", t.description}, {"input_schema", t.input_schema}});
  }
  return body;
}

int64_t int_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

class Anthropic final : public Provider {
 public:
  explicit Anthropic(ProviderSettings s)
      : settings_(std::move(s)), pool_(settings_.base_url.empty() ? "https://api.anthropic.com" : settings_.base_url, settings_.timeout) {}

  std::string name() const override { return "anthropic"; }

  Outcome complete(const Request& request) override {
    httplib::Headers headers{{"x-api-key", settings_.api_key}, {"anthropic-version", "2023-06-01"}};
    Failure transport;
    auto answer = post_json(pool_, "/v1/messages", headers, request_body(request).dump(), transport);
    if (!answer) return Outcome::fail(transport);
    if (answer->status != 200) return Outcome::fail(failure_for_status(answer->status, answer->body, answer->retry_after));
    json doc = json::parse(answer->body, nullptr, false);
    if (!doc.is_object() || !doc.contains("content") || !doc["content"].is_array())
      return Outcome::fail(Failure{ErrorCode::model_error, "Anthropic answer has no content array", 200, true, std::nullopt});
    Response response;
    response.model = doc.value("model", request.model);
    response.stop_reason = doc.value("stop_reason", "");
    for (const auto& block : doc["content"]) {
      std::string type = block.value("type", "");
      if (type == "text") response.content.push_back(Block::make_text(block.value("text", "")));
      else if (type == "tool_use")
        response.content.push_back(Block::make_tool_use(block.value("id", ""), block.value("name", ""), block.value("input", json::object())));
    }
    if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
      response.usage.input_tokens = int_field(*usage, "input_tokens");
      response.usage.output_tokens = int_field(*usage, "output_tokens");
      response.usage.cache_read_tokens = int_field(*usage, "cache_read_input_tokens");
      response.usage.cache_write_tokens = int_field(*usage, "cache_creation_input_tokens");
    }
    return Outcome::success(std::move(response));
  }

 private:
  ProviderSettings settings_;
  http::HttpClientPool pool_;
};

}  // namespace

std::unique_ptr<Provider> make_anthropic(ProviderSettings settings) { return std::make_unique<Anthropic>(std::move(settings)); }

}  // namespace rt::llm
