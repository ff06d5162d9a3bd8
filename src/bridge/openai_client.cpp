// GATEWAY_MODE=openai: chat completions on an OpenClaw or other OpenAI-compatible gateway.
#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

int64_t usage_field(const json& usage, const char* key) {
  auto it = usage.find(key);
  return it != usage.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

class OpenAiClient final : public GatewayClient {
 public:
  explicit OpenAiClient(const BridgeConfig& config)
      : model_(config.gateway_model), token_(config.gateway_token), pool_(config.gateway_url, config.gateway_timeout),
        health_pool_(config.gateway_url, std::chrono::seconds(2)) {}

  GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink&) override {
    json body = {{"model", model_},
                 {"messages", json::array({{{"role", "user"}, {"content", render_task_text(request.task)}}})},
                 {"user", request.envelope.from}};
    if (request.task.max_tokens) body["max_tokens"] = *request.task.max_tokens;
    httplib::Headers headers{{"X-Roundtable-Attempt", std::to_string(request.attempt)},
                             {"X-Roundtable-Deadline", format_rfc3339(request.deadline)}};
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    auto started = std::chrono::steady_clock::now();
    auto lease = pool_.borrow();
    auto res = lease->Post("/v1/chat/completions", headers, body.dump(), "application/json");
    if (!res) return outcome_for_transport_failure(http::is_timeout(res.error()), httplib::to_string(res.error()));
    if (res->status < 200 || res->status >= 300)
      return outcome_for_status(res->status, parse_retry_after(res->get_header_value("Retry-After"), std::chrono::system_clock::now()),
                                res->body.substr(0, 300));
    return parse_completion(res->body, res->status, started);
  }

  bool healthy() override {
    auto lease = health_pool_.borrow();
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    auto res = lease->Get("/v1/models", headers);
    return res && res->status < 500;
  }

 private:
  GatewayOutcome parse_completion(const std::string& text, int status, std::chrono::steady_clock::time_point started) const {
    GatewayOutcome outcome;
    outcome.http_status = status;
    json doc = json::parse(text, nullptr, false);
    std::optional<std::string> content;
    if (doc.is_object() && doc.contains("choices") && doc["choices"].is_array() && !doc["choices"].empty()) {
      json message = doc["choices"][0].value("message", json::object());
      if (message.is_object() && message.contains("content") && message["content"].is_string())
        content = message["content"].get<std::string>();
    }
    if (!content) {
      outcome.failure = contract::make_failure(ErrorCode::internal_error, "gateway chat completion has no choices[0].message.content");
      return outcome;
    }
    outcome.completed = true;
    outcome.result.format = "markdown";
    outcome.result.content = *content;
    outcome.result.metadata.model = doc.value("model", model_);
    if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
      outcome.result.metadata.input_tokens = usage_field(*usage, "prompt_tokens");
      outcome.result.metadata.output_tokens = usage_field(*usage, "completion_tokens");
      if (auto details = usage->find("prompt_tokens_details"); details != usage->end() && details->is_object())
        outcome.result.metadata.cache_read_tokens = usage_field(*details, "cached_tokens");
    }
    outcome.result.metadata.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    return outcome;
  }

  std::string model_;
  std::string token_;
  http::HttpClientPool pool_;
  http::HttpClientPool health_pool_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_openai_client(const BridgeConfig& config) { return std::make_unique<OpenAiClient>(config); }

}  // namespace rt::bridge
