// GATEWAY_MODE=openai: chat completions on an OpenClaw or other OpenAI-compatible gateway: over the
// bridge's own one-send client to an http:// gateway, through httplib to an https:// one.
#include <algorithm>
#include <memory>

#include "roundtable/http/capped_post.hpp"
#include "roundtable/http/client_pool.hpp"
#include "roundtable/bridge/gateway_answer.hpp"
#include "roundtable/bridge/answer_wait.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/bridge/openai_probe.hpp"
#include "roundtable/bridge/plain_exchange.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/task_view.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

constexpr int64_t kMaxTokens = 1'000'000'000'000;

int64_t usage_field(const json& usage, const char* key) {
  auto it = usage.find(key);
  return it != usage.end() && it->is_number_integer() ? clamped_integer(*it, 0, kMaxTokens).value_or(0) : 0;
}

// choices[0].message.content when it is a string.
std::optional<std::string> completion_content(const json& doc) {
  if (!doc.is_object()) return std::nullopt;
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) return std::nullopt;
  auto message = (*choices)[0].find("message");
  if (message == (*choices)[0].end() || !message->is_object()) return std::nullopt;
  auto content = message->find("content");
  if (content == message->end() || !content->is_string()) return std::nullopt;
  return content->get<std::string>();
}

// The held envelope keeps only the type of the params: they are read from the message again,
// once, to render them (the same bytes passed validation, so this parse succeeds).
contract::TaskRequest task_with_params(const GatewayRequest& request) {
  auto envelope = contract::parse_task_envelope(request.raw, {.keep_params = true});
  if (!envelope) return request.task;
  auto params = envelope->payload.find("params");
  if (params == envelope->payload.end() || !params->is_object()) return request.task;
  contract::TaskRequest task = request.task;
  task.params = std::move(*params);  // moved, not copied: request.task was validated from the same bytes
  return task;
}

// POST /v1/chat/completions with the body written to the socket from `body` itself (no copy in
// the request, none when send() copies it), and released once written in full: it is not needed
// while the gateway thinks, which may take minutes. The answer is read up to kMaxAnswerBytes.
http::CappedAnswer post_capped(httplib::Client& client, const std::string& path, httplib::Headers headers,
                               std::shared_ptr<std::string> body, const GatewayRequest& request) {
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = std::move(headers);
  req.content_length_ = body->size();
  req.content_provider_ = [body, &client, &request](size_t offset, size_t length, httplib::DataSink& sink) {
    if (offset + length > body->size()) return false;  // asked again after it was released: never, without redirects
    bool written = sink.write(body->data() + offset, length);
    if (written && offset + length == body->size()) {
      std::string().swap(*body);
      request_written(request, client.socket());
    }
    return written;
  };
  return http::send_capped(client, req, kMaxAnswerBytes);
}

// A chat completion's answer as read, whichever client read it; `failed` when there is none to judge.
struct CompletionAnswer {
  std::optional<GatewayOutcome> failed;
  int status = 0;
  std::string retry_after;
  std::string body;
};

GatewayOutcome answer_too_large() {
  GatewayOutcome outcome;
  outcome.http_status = 200;
  outcome.failure = malformed_answer("gateway answer is larger than " + std::to_string(kMaxAnswerBytes) + " bytes");
  return outcome;
}

class OpenAiClient final : public GatewayClient {
 public:
  explicit OpenAiClient(const BridgeConfig& config)
      : model_(config.gateway_model), token_(config.gateway_token), timeout_(config.gateway_timeout),
        base_(http::without_trailing_version(gateway_base(config), "/v1")), completions_path_(base_.route("/v1/chat/completions")),
        pool_(base_.origin, config.gateway_timeout), health_pool_(base_.origin, std::chrono::seconds(2)),
        readiness_(config.breaker_cooldown) {
    if (auto origin = http::parse_plain_origin(base_.origin)) plain_.emplace(std::move(*origin));
  }

  GatewayOutcome deliver(const GatewayRequest& request, const ProgressSink&) override {
    // OpenClaw keys its sessions on `user`: one per task unless the task continues a conversation.
    auto user = session_user(request.envelope);
    if (!user) {
      GatewayOutcome refused;
      refused.failure = contract::TaskFailure{ErrorCode::invalid_params, user.error().message, false, std::nullopt, 1};
      return refused;
    }
    auto body = std::make_shared<std::string>(chat_request_body(model_, *user, task_with_params(request), request.raw.size()));
    auto started = std::chrono::steady_clock::now();
    auto answer = plain_ ? post_plain(request, *body) : post_through_httplib(request, std::move(body));
    if (answer.failed) return *answer.failed;
    if (auto reason = deployment_error(answer.status, answer.body, model_)) return held_for_deployment(answer.status, std::move(*reason));
    if (answer.status < 200 || answer.status >= 300)
      return outcome_for_status(answer.status, parse_retry_after(answer.retry_after, std::chrono::system_clock::now()),
                                excerpt(answer.body, 300));
    return parse_completion(answer.body, answer.status, started);
  }

  bool healthy() override {
    auto lease = health_pool_.borrow();
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    auto res = lease->Get(base_.route("/v1/models"), headers);
    auto verdict = res ? judge_models_probe(res->status, res->body, "", model_, !token_.empty())
                       : judge_models_probe(0, "", httplib::to_string(res.error()), model_, !token_.empty());
    return readiness_.record_probe(verdict);
  }

  std::optional<std::string> not_ready_reason() override { return readiness_.reason(); }

 private:
  // The gateway refused the deployment, not the task: the task waits within its delivery, as in an
  // outage (no attempt spent), while the bridge reports not ready with the reason.
  GatewayOutcome held_for_deployment(int status, std::string reason) {
    readiness_.flag(reason);
    GatewayOutcome outcome;
    outcome.http_status = status;
    outcome.never_sent = true;
    outcome.auth_problem = status == 401 || status == 403;
    outcome.failure = contract::make_failure(ErrorCode::gateway_unavailable, std::move(reason));
    return outcome;
  }

  GatewayOutcome parse_completion(const std::string& text, int status, std::chrono::steady_clock::time_point started) const {
    GatewayOutcome outcome;
    outcome.http_status = status;
    auto parsed = parse_json_bounded(text, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
    if (!parsed) {
      outcome.failure = malformed_answer("gateway chat completion is not usable JSON: " + parsed.error().message);
      return outcome;
    }
    const json& doc = *parsed;
    auto content = completion_content(doc);
    if (!content) {
      outcome.failure = malformed_answer("gateway chat completion has no string choices[0].message.content");
      return outcome;
    }
    outcome.completed = true;
    outcome.result.format = "markdown";
    outcome.result.content = *content;
    auto model = doc.find("model");
    outcome.result.metadata.model = model != doc.end() && model->is_string() ? model->get<std::string>() : model_;
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

  template <typename Visit>
  void each_header(const GatewayRequest& request, Visit&& visit) const {
    each_call_header(request, token_, {{"Content-Type", "application/json"}}, visit);
  }

  // http:// gateways: the bridge's own client (plain_exchange.hpp).
  CompletionAnswer post_plain(const GatewayRequest& request, std::string& body) {
    CompletionAnswer answer;
    bool too_large = false;
    PlainCall call{completions_path_, [&](const HeaderSink& add) { each_header(request, add); }, body, &body};
    auto reply = exchange_plain(*plain_, request, call, timeout_, {}, [&](const char* data, size_t size) {
      too_large = answer.body.size() + size > kMaxAnswerBytes;
      if (!too_large) answer.body.append(data, size);
      return !too_large;
    });
    if (too_large) answer.failed = answer_too_large();
    else if (reply.lost) answer.failed = std::move(reply.lost);
    answer.status = reply.head.status;
    answer.retry_after = std::move(reply.head.retry_after);
    return answer;
  }

  // https:// gateways.
  CompletionAnswer post_through_httplib(const GatewayRequest& request, std::shared_ptr<std::string> body) {
    httplib::Headers headers;
    each_header(request, [&](std::string_view name, std::string_view value) { headers.emplace(name, value); });
    auto lease = pool_.borrow();
    before_sending(request, lease->is_socket_open(), body->size());
    auto began = std::chrono::steady_clock::now();
    auto capped = post_capped(*lease, completions_path_, std::move(headers), std::move(body), request);
    CompletionAnswer answer;
    auto& res = capped.result;
    if (capped.too_large) answer.failed = answer_too_large();
    else if (!res)
      answer.failed = outcome_for_transport_failure(http::is_timeout(res.error(), std::chrono::steady_clock::now() - began, timeout_),
                                                    httplib::to_string(res.error()),
                                                    res.error() == httplib::Error::Connection);
    if (answer.failed) return answer;
    answer.status = res->status;
    answer.retry_after = res->get_header_value("Retry-After");
    answer.body = std::move(capped.body);
    return answer;
  }

  std::string model_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  http::BaseUrl base_;  // GATEWAY_URL; one ending in /v1, as OpenAI base URLs do, is not given a second
  std::string completions_path_;
  std::optional<http::PlainConnectionPool> plain_;  // http:// gateways: the one-send client
  http::HttpClientPool pool_;
  http::HttpClientPool health_pool_;
  OpenAiReadiness readiness_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_openai_client(const BridgeConfig& config) { return std::make_unique<OpenAiClient>(config); }

}  // namespace rt::bridge
