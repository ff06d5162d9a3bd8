// POST /v1/chat/completions: the OpenAI Chat Completions API in front of the knight's agent.
#include "roundtable/gateway/chat_completions.hpp"

#include <httplib.h>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/gateway/gateway.hpp"
#include "roundtable/gateway/models_route.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

constexpr size_t kMaxBody = 1 << 20;
constexpr size_t kChunkBytes = 256;

Error bad(std::string why) { return make_error(ErrorCode::invalid_params, std::move(why)); }

// A message's content: a string, or the text parts of an array of parts.
Result<std::string> message_text(const json& message) {
  auto content = message.find("content");
  if (content == message.end() || content->is_null()) return std::string();
  if (content->is_string()) return content->get<std::string>();
  if (!content->is_array()) return bad("message 'content' must be a string or an array of parts");
  std::string text;
  for (const auto& part : *content) {
    if (!part.is_object() || part.value("type", json()) != "text") continue;
    auto part_text = part.find("text");
    if (part_text == part.end() || !part_text->is_string()) return bad("a text content part needs a string 'text'");
    text += part_text->get<std::string>();
  }
  return text;
}

// response_format: {"type":"text"} (the default: chat clients render Markdown),
// {"type":"json_object"}, or {"type":"json_schema","json_schema":{"schema":{...}}}.
Status read_response_format(const json& body, Conversation& conversation) {
  auto format = body.find("response_format");
  if (format == body.end() || format->is_null()) return {};
  if (!format->is_object() || !format->contains("type") || !(*format)["type"].is_string())
    return bad("'response_format' must be an object with a string 'type'");
  const std::string type = (*format)["type"];
  if (type == "text") return {};
  if (type != "json_object" && type != "json_schema") return bad("'response_format.type' must be text, json_object or json_schema");
  conversation.format = ResponseFormat::json;
  if (type == "json_schema" && (*format).contains("json_schema") && (*format)["json_schema"].is_object()) {
    const json& spec = (*format)["json_schema"];
    if (spec.contains("schema"))
      conversation.extra_system += "The JSON must follow this JSON Schema: " + llm::wire_text(spec["schema"]) + "\n";
  }
  return {};
}

std::string sse(const json& event) { return "data: " + llm::wire_text(event) + "\n\n"; }

}  // namespace

Result<ChatRequest> parse_chat_request(const json& body) {
  if (!body.is_object()) return bad("request body is not a JSON object");
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) return bad("'messages' must be a non-empty array");
  ChatRequest chat;
  Conversation& conversation = chat.conversation;
  for (const auto& m : *messages) {
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) return bad("every message needs a string 'role'");
    const std::string role = m["role"];
    auto text = message_text(m);
    if (!text) return text.error();
    if (role == "system" || role == "developer") conversation.extra_system += *text + "\n";
    else if (role == "user" || role == "assistant") conversation.messages.push_back({role, {llm::Block::make_text(*text)}});
  }
  if (conversation.messages.empty() || conversation.messages.back().role != "user") return bad("the last message must come from the user");
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    auto limit = body.find(key);
    if (limit == body.end() || limit->is_null()) continue;
    auto tokens = limit->is_number_integer() ? clamped_integer(*limit, 0, contract::kMaxTaskTokens) : std::nullopt;
    if (!tokens || *tokens <= 0) return bad("'" + std::string(key) + "' must be a positive integer");
    conversation.max_tokens = *tokens;
  }
  if (body.contains("stream") && !body["stream"].is_boolean() && !body["stream"].is_null()) return bad("'stream' must be a boolean");
  if (body.contains("model") && !body["model"].is_string() && !body["model"].is_null()) return bad("'model' must be a string");
  chat.stream = body.contains("stream") && body["stream"].is_boolean() && body["stream"].get<bool>();
  if (body.contains("model") && body["model"].is_string()) chat.requested_model = body["model"];
  if (auto options = body.find("stream_options"); options != body.end() && !options->is_null()) {
    if (!options->is_object()) return bad("'stream_options' must be an object");
    auto usage = options->find("include_usage");
    if (usage != options->end() && !usage->is_boolean() && !usage->is_null()) return bad("'stream_options.include_usage' must be a boolean");
    chat.include_usage = usage != options->end() && usage->is_boolean() && usage->get<bool>();
  }
  if (auto format = read_response_format(body, conversation); !format) return format.error();
  return chat;
}

json chat_usage(const llm::Usage& usage) {
  return {{"prompt_tokens", usage.input_tokens},
          {"completion_tokens", usage.output_tokens},
          {"total_tokens", usage.total()},
          {"prompt_tokens_details", {{"cached_tokens", usage.cache_read_tokens}}}};
}

json chat_completion(const ChatStamp& stamp, const std::string& content, const llm::Usage& usage) {
  json message = {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}};
  return {{"id", stamp.id},
          {"object", "chat.completion"},
          {"created", stamp.created},
          {"model", stamp.model},
          {"choices", json::array({{{"index", 0}, {"message", message}, {"logprobs", nullptr}, {"finish_reason", "stop"}}})},
          {"usage", chat_usage(usage)}};
}

std::string chat_event_stream(const ChatStamp& stamp, const std::string& content, const llm::Usage& usage, bool include_usage) {
  auto chunk = [&](json choices) {
    json event = {{"id", stamp.id}, {"object", "chat.completion.chunk"}, {"created", stamp.created}, {"model", stamp.model},
                  {"choices", std::move(choices)}};
    if (include_usage) event["usage"] = nullptr;
    return event;
  };
  auto choice = [](json delta, json finish) {
    return json::array({{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}}});
  };
  std::string stream = sse(chunk(choice({{"role", "assistant"}, {"content", ""}}, nullptr)));
  for (size_t pos = 0; pos < content.size();) {
    // Pieces end on character boundaries so every chunk is valid UTF-8 on its own.
    std::string piece = llm::utf8_prefix(content.substr(pos, kChunkBytes + 4), kChunkBytes);
    if (piece.empty()) piece = content.substr(pos, 1);
    stream += sse(chunk(choice({{"content", piece}}, nullptr)));
    pos += piece.size();
  }
  stream += sse(chunk(choice(json::object(), "stop")));
  if (include_usage) {
    json last = chunk(json::array());
    last["usage"] = chat_usage(usage);
    stream += sse(last);
  }
  return stream + "data: [DONE]\n\n";
}

json chat_error(int status, const std::string& message, const std::string& code, const std::string& type) {
  std::string kind = type;
  if (kind.empty()) kind = status == 429 ? "rate_limit_error" : status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
  json error = {{"message", message}, {"type", kind}, {"param", nullptr}, {"code", code.empty() ? json(nullptr) : json(code)}};
  return {{"error", error}};
}

int chat_failure_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::timeout: return 504;
    case ErrorCode::invalid_params: return 400;
    default: return 502;
  }
}

void Gateway::handle_chat(const httplib::Request& req, httplib::Response& res) {
  auto reply = [&res](int status, const json& body) {
    res.status = status;
    res.set_content(llm::wire_text(body), "application/json");
  };
  auto parsed = parse_json_bounded(req.body, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxBody});
  if (!parsed) return reply(400, chat_error(400, "request body is not usable JSON: " + parsed.error().message, ""));
  auto chat = parse_chat_request(*parsed);
  if (!chat) return reply(400, chat_error(400, chat.error().message, ""));
  chat->conversation.task_id = "chat-" + make_uuid_v4();
  auto slot = enter_or_refuse(res, true);
  if (!slot) return;
  auto started = std::chrono::steady_clock::now();
  auto answer = agent_->run(std::move(chat->conversation));
  slot.reset();
  record(answer, started);
  if (!answer.completed) {
    int status = chat_failure_status(answer.failure.error);
    if (answer.failure.retry_after_seconds) res.set_header("Retry-After", std::to_string(*answer.failure.retry_after_seconds));
    return reply(status, chat_error(status, answer.failure.message, std::string(contract::error_code_name(answer.failure.error))));
  }
  // Whatever name was asked for, the answer names the knight that gave it (docs/contract.md §6).
  ChatStamp stamp{"chatcmpl-" + make_uuid_v4(),
                  std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
                  listed_model_id(config_.fleet, config_.agent)};
  if (!chat->stream) return reply(200, chat_completion(stamp, answer.result.content, answer.usage));
  res.set_header("Cache-Control", "no-cache");
  res.set_content(chat_event_stream(stamp, answer.result.content, answer.usage, chat->include_usage), "text/event-stream");
}

}  // namespace rt::gateway
