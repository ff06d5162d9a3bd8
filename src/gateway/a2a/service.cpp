#include "roundtable/gateway/a2a/service.hpp"

#include <httplib.h>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/http/server.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::gateway::a2a {

using nlohmann::json;
using jsonrpc::RpcError;

namespace {

constexpr size_t kMaxBody = 1 << 20;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(llm::wire_text(body), "application/json");
}

void reply_error(httplib::Response& res, const json& id, const RpcError& error, int status = 200) {
  reply(res, status, jsonrpc::error_response(id, error));
}

RpcError task_not_found(const std::string& id) { return {kTaskNotFound, "task " + id + " not found (never created, or forgotten)", std::nullopt}; }

std::string media_type(const std::string& format) {
  if (format == "json") return "application/json";
  if (format == "text") return "text/plain";
  return "text/markdown";
}

std::string text_of(const json& message) {
  std::string text;
  if (!message.contains("parts") || !message["parts"].is_array()) return text;
  for (const auto& part : message["parts"]) {
    if (!part.is_object()) continue;
    std::string piece = part.contains("text") && part["text"].is_string() ? part["text"].get<std::string>()
                        : part.contains("data") ? part["data"].dump(-1, ' ', false, json::error_handler_t::replace) : "";
    text += (text.empty() ? "" : "\n\n") + piece;
  }
  return text;
}

// A2A-Version: absent means the client did not say; anything but 1.x is refused.
bool version_supported(const httplib::Request& req) {
  if (!req.has_header("A2A-Version")) return true;
  std::string version = trim(req.get_header_value("A2A-Version"));
  return version == "1" || version.rfind("1.", 0) == 0;
}

const std::vector<std::string>& legacy_methods() {
  static const std::vector<std::string> names{"message/send", "message/stream", "tasks/get", "tasks/cancel", "tasks/resubscribe"};
  return names;
}

}  // namespace

Service::Service(ServiceDeps deps) : deps_(std::move(deps)), store_(deps_.limits) {}

Service::~Service() {
  store_.cancel_all("the gateway is shutting down");
  std::lock_guard lock(background_mutex_);
  for (auto& run : background_)
    if (run.thread.joinable()) run.thread.join();
}

void Service::serve_card(const httplib::Request& req, httplib::Response& res) const {
  std::string base = deps_.public_url;
  if (base.empty()) base = base_url_from_host(req.get_header_value("Host"));
  if (base.empty() && deps_.listen_url) base = deps_.listen_url();
  CardContext context{base, !deps_.token.empty(), deps_.version};
  // A card built from the Host header must not be cached for other clients.
  res.set_header("Cache-Control", deps_.public_url.empty() ? "no-cache" : "max-age=300");
  reply(res, 200, agent_card(*deps_.workspace, context));
}

bool Service::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (deps_.token.empty()) return true;
  std::string header = req.get_header_value("Authorization");
  if (header.rfind("Bearer ", 0) == 0 && constant_time_equal(header.substr(7), deps_.token)) return true;
  res.set_header("WWW-Authenticate", "Bearer");
  reply_error(res, nullptr, {jsonrpc::kInvalidRequest, "missing or wrong bearer token (the agent card's securitySchemes)", std::nullopt}, 401);
  return false;
}

void Service::serve_rpc(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  auto parsed = parse_json_bounded(req.body, {.max_depth = contract::kMaxJsonDepth, .max_bytes = kMaxBody});
  if (!parsed) return reply_error(res, nullptr, {jsonrpc::kParseError, "body is not usable JSON: " + parsed.error().message, std::nullopt});
  auto message = jsonrpc::read_message(*parsed);
  if (!message) return reply_error(res, message.failure().id, message.failure().error);
  if (message->kind == jsonrpc::Kind::notification) {
    res.status = 204;  // JSON-RPC: a notification is not answered; A2A defines none
    return;
  }
  if (message->kind == jsonrpc::Kind::response) return reply_error(res, message->id, {jsonrpc::kInvalidRequest, "expected a request", std::nullopt});
  if (!version_supported(req))
    return reply_error(res, message->id, {kVersionNotSupported, "A2A-Version " + req.get_header_value("A2A-Version") + " is not supported; this agent speaks 1.0", std::nullopt});
  try {
    dispatch(*message, req, res);
  } catch (const std::exception& e) {
    deps_.logger.error("a2a.internal_error", {{"method", message->method}, {"error", e.what()}});
    reply_error(res, message->id, {jsonrpc::kInternalError, "internal error", std::nullopt});
  }
}

void Service::dispatch(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res) {
  const std::string& method = call.method;
  if (method == "SendMessage") return send_message(call, req, res);
  if (method == "SendStreamingMessage") return stream_message(call, req, res);
  if (method == "GetTask") return get_task(call, res);
  if (method == "CancelTask") return cancel_task(call, res);
  if (method == "SubscribeToTask") return subscribe(call, res);
  if (method.find("PushNotificationConfig") != std::string::npos)
    return reply_error(res, call.id, {kPushNotificationNotSupported, "push notifications are not supported: stream or poll", std::nullopt});
  if (method == "GetExtendedAgentCard")
    return reply_error(res, call.id, {kExtendedCardNotConfigured, "there is no extended agent card", std::nullopt});
  if (method == "ListTasks") return reply_error(res, call.id, {kUnsupportedOperation, "ListTasks is not supported: keep the ids you get", std::nullopt});
  if (std::find(legacy_methods().begin(), legacy_methods().end(), method) != legacy_methods().end())
    return reply_error(res, call.id, {kVersionNotSupported, method + " is an A2A 0.3 method; this agent speaks A2A 1.0 (SendMessage, SendStreamingMessage, GetTask, CancelTask, SubscribeToTask)", std::nullopt});
  reply_error(res, call.id, {jsonrpc::kMethodNotFound, "unknown method " + excerpt(method, 64), std::nullopt});
}

std::string Service::busy_message() const {
  return "busy: " + std::to_string(deps_.max_concurrency) + " tasks running and as many waiting (GATEWAY_MAX_CONCURRENCY)";
}

Checked<std::string> Service::open_task(const SendRequest& request) {
  if (request.task_id) {
    auto task = store_.get(*request.task_id, 0);
    if (!task) return task_not_found(*request.task_id);
    return RpcError{kUnsupportedOperation, "task " + *request.task_id + " is " + (*task)["status"]["state"].get<std::string>() +
                                               "; this agent takes one message per task: send a new message with the same contextId to continue",
                    std::nullopt};
  }
  return store_.create(request.context_id, request.message);
}

Conversation Service::conversation_for(const std::string& task_id, const SendRequest& request, const httplib::Request& req) {
  Conversation conversation;
  conversation.task_id = task_id;
  for (const auto& earlier : store_.context_history(request.context_id, task_id))
    conversation.messages.push_back({earlier.value("role", "") == "ROLE_AGENT" ? "assistant" : "user", {llm::Block::make_text(text_of(earlier))}});
  conversation.messages.push_back({"user", {llm::Block::make_text(request.text)}});
  if (req.has_header("X-Roundtable-Deadline")) conversation.deadline = parse_rfc3339(req.get_header_value("X-Roundtable-Deadline"));
  conversation.progress = [this, task_id](const contract::Progress& progress) { store_.working(task_id, progress.message); };
  conversation.canceled = [this, task_id] { return store_.canceled(task_id); };
  return conversation;
}

void Service::execute(const std::string& task_id, Conversation conversation, WorkSlots::Slot slot, const std::function<void()>& changed) {
  if (!slot) {
    store_.fail(task_id, busy_message(), {{"error", "gateway_unavailable"}, {"retryable", true}, {"retryAfterSeconds", 1}});
    return;
  }
  if (!store_.working(task_id)) return;  // canceled while it waited for the slot
  if (changed) {
    changed();
    conversation.progress = [this, task_id, &changed](const contract::Progress& progress) {
      store_.working(task_id, progress.message);
      changed();
    };
  }
  deps_.logger.info("a2a.task_started", {{"task_id", task_id}});
  auto answer = deps_.run(std::move(conversation));
  slot.reset();
  bool recorded = false;
  if (answer.completed) {
    json metadata = contract::to_json(answer.result)["result"]["metadata"];
    metadata.erase("attempt");
    recorded = store_.complete(task_id, answer.result.content, media_type(answer.result.format), std::move(metadata));
  } else {
    json metadata = {{"error", std::string(contract::error_code_name(answer.failure.error))}, {"retryable", answer.failure.retryable}};
    if (answer.failure.retry_after_seconds) metadata["retryAfterSeconds"] = *answer.failure.retry_after_seconds;
    recorded = store_.fail(task_id, answer.failure.message, std::move(metadata));
  }
  deps_.logger.info("a2a.task_finished", {{"task_id", task_id}, {"completed", answer.completed}, {"kept", recorded}});
}

void Service::reap_background() {
  for (auto it = background_.begin(); it != background_.end();) {
    if (!it->done->load()) {
      ++it;
      continue;
    }
    it->thread.join();
    it = background_.erase(it);
  }
}

void Service::run_in_background(const std::string& task_id, Conversation conversation) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  auto shared = std::make_shared<Conversation>(std::move(conversation));
  std::thread thread([this, task_id, shared, done] {
    execute(task_id, std::move(*shared), deps_.enter());
    done->store(true);
  });
  background_.push_back({std::move(thread), done});
}

void Service::send_message(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res) {
  auto request = read_send_request(call.params);
  if (auto* error = std::get_if<RpcError>(&request)) return reply_error(res, call.id, *error);
  auto& send = std::get<SendRequest>(request);
  WorkSlots::Slot slot;
  if (send.return_immediately) {
    std::lock_guard lock(background_mutex_);
    reap_background();
    // Each background run waits for a work slot; beyond slots plus queue it would only fail.
    if (background_.size() >= static_cast<size_t>(2 * deps_.max_concurrency)) {
      res.set_header("Retry-After", "1");
      return reply_error(res, call.id, {jsonrpc::kInternalError, busy_message(), json{{"retryAfterSeconds", 1}}}, 503);
    }
    auto opened = open_task(send);
    if (auto* error = std::get_if<RpcError>(&opened)) return reply_error(res, call.id, *error);
    const auto& task_id = std::get<std::string>(opened);
    run_in_background(task_id, conversation_for(task_id, send, req));
    return reply(res, 200, jsonrpc::result_response(call.id, {{"task", *store_.get(task_id, send.history_length)}}));
  }
  slot = deps_.enter();
  if (!slot) {
    res.set_header("Retry-After", "1");
    return reply_error(res, call.id, {jsonrpc::kInternalError, busy_message(), json{{"retryAfterSeconds", 1}}}, 503);
  }
  auto opened = open_task(send);
  if (auto* error = std::get_if<RpcError>(&opened)) return reply_error(res, call.id, *error);
  const auto& task_id = std::get<std::string>(opened);
  execute(task_id, conversation_for(task_id, send, req), std::move(slot));
  auto task = store_.get(task_id, send.history_length);
  if (!task) return reply_error(res, call.id, {jsonrpc::kInternalError, "the task was forgotten before it could be answered", std::nullopt});
  reply(res, 200, jsonrpc::result_response(call.id, {{"task", *task}}));
}

void Service::get_task(const jsonrpc::Message& call, httplib::Response& res) {
  auto query = read_task_query(call.params);
  if (auto* error = std::get_if<RpcError>(&query)) return reply_error(res, call.id, *error);
  const auto& q = std::get<TaskQuery>(query);
  auto task = store_.get(q.id, q.history_length);
  if (!task) return reply_error(res, call.id, task_not_found(q.id));
  reply(res, 200, jsonrpc::result_response(call.id, *task));
}

void Service::cancel_task(const jsonrpc::Message& call, httplib::Response& res) {
  auto query = read_task_query(call.params);
  if (auto* error = std::get_if<RpcError>(&query)) return reply_error(res, call.id, *error);
  const auto& q = std::get<TaskQuery>(query);
  switch (store_.cancel(q.id)) {
    case TaskStore::CancelOutcome::not_found: return reply_error(res, call.id, task_not_found(q.id));
    case TaskStore::CancelOutcome::not_cancelable:
      return reply_error(res, call.id, {kTaskNotCancelable, "task " + q.id + " has already finished", std::nullopt});
    case TaskStore::CancelOutcome::canceled: break;
  }
  deps_.logger.info("a2a.task_canceled", {{"task_id", q.id}});
  auto task = store_.get(q.id, q.history_length);
  if (!task) return reply_error(res, call.id, task_not_found(q.id));
  reply(res, 200, jsonrpc::result_response(call.id, *task));
}

void register_a2a_routes(http::Server& server, Service& service) {
  server.Get(kCardPath, [&service](const httplib::Request& req, httplib::Response& res) { service.serve_card(req, res); });
  server.Post(kRpcPath, [&service](const httplib::Request& req, httplib::Response& res) { service.serve_rpc(req, res); });
}

}  // namespace rt::gateway::a2a
