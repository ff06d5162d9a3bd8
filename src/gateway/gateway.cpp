#include "roundtable/gateway/gateway.hpp"

#include <httplib.h>

#include <charconv>
#include <cmath>

#include "providers_setup.hpp"
#include "roundtable/gateway/agent_trace.hpp"
#include "roundtable/gateway/checkpoint_store.hpp"
#include "roundtable/gateway/peer_requests.hpp"
#include "roundtable/gateway/a2a/service.hpp"
#include "roundtable/gateway/chat_completions.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/http/server.hpp"
#include "roundtable/http/server_options.hpp"
#include "roundtable/llm/wire.hpp"
#include "roundtable/mcp/toolbox.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

constexpr size_t kMaxBody = 1 << 20;

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(llm::wire_text(body), "application/json");
}

json failure_answer(const contract::TaskFailure& failure) {
  json out = contract::to_json(failure);
  out["status"] = "failed";
  return out;
}

json answer_json(const AgentAnswer& answer) {
  return answer.completed ? contract::to_json(answer.result) : failure_answer(answer.failure);
}

// The request counter's label: a fixed set, never the raw path (unauthenticated 404s would
// otherwise make a series each).
std::string route_label(const std::string& path) {
  for (const char* route : {"/webhook", "/v1/chat/completions", "/v1/models", "/health", "/metrics", "/.well-known/agent-card.json", "/a2a"})
    if (path == route) return route;
  return "other";
}

std::optional<SystemTime> deadline_of(const httplib::Request& req) {
  if (!req.has_header("X-Roundtable-Deadline")) return std::nullopt;
  return parse_rfc3339(req.get_header_value("X-Roundtable-Deadline"));
}

}  // namespace

Gateway::Gateway(GatewayConfig config, Workspace workspace, Logger logger)
    : config_(std::move(config)), workspace_(std::move(workspace)), logger_(std::move(logger)) {
  register_gateway_metrics(metrics_);
  exporter_ = std::make_unique<trace::Exporter>(config_.tracing, logger_, &metrics_, "roundtable_gateway_spans_dropped_total");
  if (config_.redis_url)
    redis_ = std::make_unique<redis::Client>(*redis::parse_redis_url(*config_.redis_url), logger_.with({{"component", "redis"}}));
  provider_ = make_provider_chain(config_, workspace_, metrics_, logger_);
  const auto& knight = workspace_.knight;
  limiter_ = std::make_unique<RateLimiter>(redis_.get(), config_.fleet, config_.agent, knight.requests_per_minute,
                                           knight.tokens_per_day, logger_, std::llround(knight.usd_per_day * 1e6));
  if (redis_)
    checkpoints_ = std::make_unique<CheckpointStore>(*redis_, config_.fleet, config_.agent, config_.checkpoints, metrics_,
                                                     logger_.with({{"component", "checkpoint"}}));
  ToolDeps deps{&workspace_, redis_.get(), config_.fleet, {}, logger_};
  deps.sandbox.max_output_bytes = config_.skill_output_bytes;
  deps.sandbox.home = workspace_.dir.string();
  deps.sandbox.extra_env = {{"FLEET_ID", config_.fleet}, {"AGENT_ID", config_.agent}};
  if (config_.redis_url) deps.sandbox.extra_env["REDIS_URL"] = *config_.redis_url;
  deps.sandbox.start_program = find_skill_start_program();
  if (deps.sandbox.start_program.empty() && !workspace_.skills.empty())
    logger_.warn("skills.start_program_missing",
                 {{"detail", "rt-skill-start is not beside knight-gateway: skills start before their oom_score_adj is 1000"}});
  for (const auto& skill : workspace_.skills) tools_.add(make_skill_tool(skill, deps));
  tools_.add(make_remember_tool(deps, std::make_shared<std::mutex>()));
  auto local = std::make_shared<LocalSharedMemory>();
  tools_.add(make_shared_get_tool(deps, local));
  tools_.add(make_shared_set_tool(deps, local));
  std::string sub_model = knight.subagent_model.empty() ? knight.model.name : knight.subagent_model;
  tools_.add(make_spawn_subagents_tool(*provider_, *limiter_, sub_model, knight.subagent_max_parallel, workspace_.soul, logger_));
  // MCP servers' tools (docs/mcp.md), listed before the gateway serves.
  mcp_ = std::make_unique<mcp::Toolbox>(knight.mcp_servers, tools_, config_.skill_output_bytes, logger_.with({{"component", "mcp"}}));
  mcp_->start();
  agent_ = std::make_unique<Agent>(workspace_, *provider_, tools_, *limiter_, metrics_, logger_);
  slots_ = std::make_unique<WorkSlots>(config_.max_concurrency, config_.max_concurrency);
  // Workers: the running tasks, as many waiting, and spares so probes and scrapes are answered
  // however busy the knight is. Idle connections hold none.
  server_ = std::make_unique<http::Server>(http::ServerLimits{.workers = static_cast<size_t>(2 * config_.max_concurrency + 4), .max_body_bytes = kMaxBody});
  routes();
}

Gateway::~Gateway() {
  stop();
  stop_lead();
}

bool Gateway::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (config_.token.empty()) return true;
  std::string header = req.get_header_value("Authorization");
  // The scheme's name is case-insensitive (RFC 9110 §11.1); the token is not.
  constexpr std::string_view kScheme = "bearer ";
  bool bearer = header.size() > kScheme.size() && equals_ignoring_case(std::string_view(header).substr(0, kScheme.size()), kScheme);
  if (bearer && constant_time_equal(header.substr(kScheme.size()), config_.token)) return true;
  const std::string why = "missing or wrong bearer token";
  if (req.path.rfind("/v1/", 0) == 0) reply_json(res, 401, chat_error(401, why, "invalid_api_key"));  // what OpenAI clients read
  else reply_json(res, 401, {{"status", "failed"}, {"error", "invalid_params"}, {"message", why}});
  return false;
}

void Gateway::record(const AgentAnswer& answer, std::chrono::steady_clock::time_point started) {
  metrics_.add("roundtable_gateway_tasks_total", 1, {{"outcome", answer.completed ? "completed" : std::string(contract::error_code_name(answer.failure.error))}});
  metrics_.observe("roundtable_gateway_task_duration_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

WorkSlots::Slot Gateway::enter_or_refuse(httplib::Response& res, bool openai_shape) {
  auto slot = slots_->enter();
  if (slot) return slot;
  std::string why = "busy: " + std::to_string(config_.max_concurrency) + " tasks running and as many waiting (GATEWAY_MAX_CONCURRENCY)";
  res.set_header("Retry-After", "1");
  if (openai_shape) reply_json(res, 503, {{"error", {{"message", why}, {"type", "server_error"}, {"code", "gateway_busy"}}}});
  else {
    auto failure = contract::make_failure(ErrorCode::gateway_unavailable, why);
    failure.retry_after_seconds = 1;
    reply_json(res, 503, failure_answer(failure));
  }
  return nullptr;
}

void Gateway::routes() {
  auto& s = *server_;
  http::tune_server(s, std::chrono::seconds(30));
  s.on_answer([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.add("roundtable_gateway_requests_total", 1, {{"endpoint", route_label(req.path)}, {"status", std::to_string(res.status)}});
  });
  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200, {{"status", "ok"}, {"agent", config_.agent}, {"role", workspace_.knight.role},
                          {"provider", config_.provider}, {"model", config_.model}});
  });
  s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) res.set_content(render_metrics(), http::MetricsRegistry::kContentType);
  });
  s.Post("/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) handle_webhook(req, res);
  });
  s.Post(R"(/tasks/([^/]+)/cancel)", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    if (!is_uuid_v4(req.matches[1].str()))  // task ids are UUIDs: nothing longer is remembered
      return reply_json(res, 400, failure_answer(contract::make_failure(ErrorCode::invalid_params, "a task id is a UUID v4")));
    cancellations_.cancel(req.matches[1]);
    logger_.info("task.cancel_asked", {{"task_id", std::string(req.matches[1])}});
    reply_json(res, 202, {{"taskId", std::string(req.matches[1])}, {"status", "cancelling"}});
  });
  s.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) handle_chat(req, res);
  });
  a2a_routes();
  s.Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) handle_models(req, res);
  });
  s.Get(R"(/v1/models/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) handle_models(req, res);
  });
}

std::string Gateway::render_metrics() {
  metrics_.set("roundtable_gateway_in_flight", slots_->running());
  metrics_.set("roundtable_gateway_waiting", slots_->waiting());
  for (const auto& use : limiter_->budget_use())
    metrics_.set("roundtable_gateway_budget_used_ratio", use.ratio, {{"agent", config_.agent}, {"kind", use.kind}});
  return metrics_.render();
}

// GATEWAY_METRICS_LISTEN: GET /metrics alone, without the token (a network policy decides who
// reaches it), so Prometheus can scrape a gateway whose main port is loopback-only.
void Gateway::metrics_routes() {
  metrics_server_ = std::make_unique<http::Server>(http::ServerLimits{.workers = 2, .max_header_bytes = 16 * 1024});
  http::tune_server(*metrics_server_, std::chrono::seconds(5));
  metrics_server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_metrics(), http::MetricsRegistry::kContentType);
  });
}

void Gateway::handle_webhook(const httplib::Request& req, httplib::Response& res) {
  auto envelope = contract::parse_envelope(req.body, kMaxBody);
  if (!envelope) return reply_json(res, 400, failure_answer(contract::make_failure(ErrorCode::invalid_params, envelope.error().message)));
  auto task = contract::parse_task_request(envelope->payload);
  if (!task) return reply_json(res, 400, failure_answer(contract::make_failure(ErrorCode::invalid_params, task.error().message)));
  Conversation conversation;
  conversation.task_id = envelope->id;
  conversation.canceled = [this, id = envelope->id] { return cancellations_.cancelled(id); };
  conversation.messages = {{"user", {llm::Block::make_text(render_task_message(*task))}}};
  conversation.max_tokens = task->max_tokens;
  auto format = parse_response_format(task->response_format);
  if (!format)
    return reply_json(res, 400, failure_answer(contract::make_failure(ErrorCode::invalid_params, "responseFormat must be markdown, text or json")));
  conversation.format = *format;
  conversation.deadline = deadline_of(req);
  int attempt = 1;
  if (req.has_header("X-Roundtable-Attempt")) {
    // std::atoi is undefined on overflow; a header is outside input.
    const std::string header = req.get_header_value("X-Roundtable-Attempt");
    int64_t parsed = 1;
    auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), parsed);
    if (error == std::errc::result_out_of_range) parsed = header.front() == '-' ? 1 : INT64_MAX;
    attempt = static_cast<int>(std::clamp<int64_t>(parsed, 1, 1'000'000));
  }
  logger_.info("task.received", {{"task_id", envelope->id}, {"task", task->task}, {"attempt", attempt}});
  auto traced = start_request_trace(exporter_.get(), req, "/webhook", envelope->id, attempt);
  conversation.trace = traced->steps;
  if (checkpoints_) conversation.checkpoint = checkpoints_->for_task(envelope->id, attempt);

  auto slot = enter_or_refuse(res, false);
  if (!slot) return;
  bool ndjson = req.get_header_value("Accept").find("application/x-ndjson") != std::string::npos;
  if (!ndjson) {
    auto started = std::chrono::steady_clock::now();
    auto checkpoint = conversation.checkpoint;
    auto answer = agent_->run(std::move(conversation));
    slot.reset();
    if (checkpoint) checkpoint->settle(answer.completed || !answer.failure.retryable);
    answer.result.metadata.attempt = answer.failure.attempt = attempt;
    finish_request_trace(*traced, answer, exporter_.get());
    record(answer, started);
    return reply_json(res, 200, answer_json(answer));
  }
  auto shared = std::make_shared<Conversation>(std::move(conversation));
  res.set_chunked_content_provider("application/x-ndjson", [this, shared, attempt, slot, traced](size_t, httplib::DataSink& sink) mutable {
    std::mutex write_mutex;
    auto write_line = [&](const json& line) {
      std::lock_guard lock(write_mutex);
      std::string text = llm::wire_text(line) + "\n";
      sink.write(text.data(), text.size());
    };
    shared->progress = [&](const contract::Progress& progress) {
      json line = contract::to_json(progress);
      line["type"] = "progress";
      write_line(line);
    };
    write_line({{"type", "progress"}, {"percent", 0}, {"message", "thinking"}});
    auto started = std::chrono::steady_clock::now();
    auto answer = agent_->run(*shared);
    slot.reset();
    if (shared->checkpoint) shared->checkpoint->settle(answer.completed || !answer.failure.retryable);
    answer.result.metadata.attempt = answer.failure.attempt = attempt;
    finish_request_trace(*traced, answer, exporter_.get());
    record(answer, started);
    json final_line = answer_json(answer);
    final_line["type"] = "result";
    write_line(final_line);
    sink.done();
    return true;
  });
}

// Gateway::handle_chat is in chat_completions.cpp, Gateway::handle_models in models_route.cpp.

bool Gateway::bind() {
  http::HostPort hp;
  http::parse_listen_address(config_.listen, hp);
  if (hp.port == 0) port_ = server_->bind_to_any_port(hp.host);
  else port_ = server_->bind_to_port(hp.host, hp.port) ? hp.port : -1;
  if (port_ <= 0) {
    logger_.error("gateway.bind_failed", {{"listen", config_.listen}});
    return false;
  }
  if (!config_.metrics_listen.empty()) {
    http::HostPort metrics_hp;
    http::parse_listen_address(config_.metrics_listen, metrics_hp);
    metrics_routes();
    int metrics_port = metrics_hp.port == 0 ? metrics_server_->bind_to_any_port(metrics_hp.host)
                                            : (metrics_server_->bind_to_port(metrics_hp.host, metrics_hp.port) ? metrics_hp.port : -1);
    if (metrics_port <= 0) {
      logger_.error("gateway.bind_failed", {{"listen", config_.metrics_listen}, {"setting", "GATEWAY_METRICS_LISTEN"}});
      return false;
    }
    logger_.info("gateway.metrics_listening", {{"host", metrics_hp.host}, {"port", metrics_port}});
  }
  logger_.info("gateway.listening", {{"host", hp.host}, {"port", port_}, {"provider", config_.provider}, {"model", config_.model},
                                     {"skills", workspace_.knight.skills}, {"role", workspace_.knight.role}});
  return true;
}

bool Gateway::serve() {
  std::thread metrics_thread;
  if (metrics_server_) metrics_thread = std::thread([this] { metrics_server_->listen_after_bind(std::chrono::seconds(3)); });
  bool drained = server_->listen_after_bind(config_.shutdown_grace);
  if (metrics_server_) {
    metrics_server_->stop();
    metrics_thread.join();
  }
  return drained;
}

void Gateway::stop() {
  if (server_) server_->stop();
  if (metrics_server_) metrics_server_->stop();
}

}  // namespace rt::gateway
