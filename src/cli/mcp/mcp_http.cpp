// MCP over Streamable HTTP on rt::http::Server.
#include "roundtable/cli/mcp/http_transport.hpp"

#include <algorithm>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::cli::mcp {

using nlohmann::json;
using jsonrpc::Kind;

namespace {

constexpr const char* kPath = "/mcp";

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(wire_text(body), "application/json");
}

void refuse(httplib::Response& res, int status, int code, const std::string& message) {
  reply(res, status, jsonrpc::error_response(nullptr, {code, message, std::nullopt}));
}

// The host of an Origin (scheme://host[:port]) or a Host header (host[:port]), lower-case.
std::string host_of(std::string text) {
  if (auto scheme = text.find("://"); scheme != std::string::npos) text = text.substr(scheme + 3);
  text = text.substr(0, text.find('/'));
  if (!text.empty() && text.front() == '[') return to_lower(text.substr(0, text.find(']') + 1));
  return to_lower(text.substr(0, text.find(':')));
}

bool wants_progress_stream(const httplib::Request& req, const jsonrpc::Message& message) {
  if (message.method != "tools/call" || req.get_header_value("Accept").find("text/event-stream") == std::string::npos) return false;
  const auto& params = message.params;
  if (!params.is_object() || !params.contains("_meta") || !params["_meta"].is_object()) return false;
  auto token = params["_meta"].find("progressToken");
  return token != params["_meta"].end() && (token->is_string() || token->is_number_integer());
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || starts_with(host, "127.");
}

HttpTransport::HttpTransport(Server& server, HttpOptions options) : server_(server), options_(std::move(options)) {
  // Workers: every running call, plus spares so ping, DELETE and refusals are answered.
  http_ = std::make_unique<http::Server>(http::ServerLimits{.workers = options_.max_calls + 4, .max_header_bytes = 32 * 1024});
  routes();
}

HttpTransport::~HttpTransport() { stop(); }

Result<int> HttpTransport::bind() {
  if (options_.port == 0) {
    int port = http_->bind_to_any_port(options_.host);
    if (port <= 0) return make_error(ErrorCode::io_error, "cannot listen on " + options_.host);
    options_.port = port;
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    return make_error(ErrorCode::io_error, "cannot listen on " + options_.host + ":" + std::to_string(options_.port));
  }
  return options_.port;
}

void HttpTransport::run() { http_->listen_after_bind(std::chrono::seconds(5)); }

void HttpTransport::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : sessions_)
      for (auto& [key, flag] : entry->calls) flag->store(true);
  }
  http_->stop();
}

void HttpTransport::routes() {
  http::tune_server(*http_, std::chrono::seconds(30));
  http_->set_payload_max_length(options_.max_body_bytes);  // httplib answers 413 past this
  http_->Post(kPath, [this](const httplib::Request& req, httplib::Response& res) {
    if (admitted(req, res)) post(req, res);
  });
  http_->Delete(kPath, [this](const httplib::Request& req, httplib::Response& res) {
    if (admitted(req, res)) remove(req, res);
  });
  http_->Get(kPath, [this](const httplib::Request& req, httplib::Response& res) {
    if (!admitted(req, res)) return;
    res.set_header("Allow", "POST, DELETE");
    refuse(res, 405, jsonrpc::kInvalidRequest, "this server sends no messages of its own: no GET stream");
  });
}

bool HttpTransport::admitted(const httplib::Request& req, httplib::Response& res) const {
  if (!options_.token.empty()) {
    std::string header = req.get_header_value("Authorization");
    if (header.rfind("Bearer ", 0) != 0 || !constant_time_equal(header.substr(7), options_.token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      refuse(res, 401, jsonrpc::kInvalidRequest, "missing or wrong bearer token");
      return false;
    }
  }
  if (req.has_header("Origin")) {
    std::string origin = req.get_header_value("Origin");
    bool listed = std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(), origin) != options_.allowed_origins.end();
    if (!listed && !is_loopback_host(host_of(origin))) {
      refuse(res, 403, jsonrpc::kInvalidRequest, "origin " + excerpt(origin, 100) + " is not allowed (--allowed-origins)");
      return false;
    }
  }
  // A page on another name that resolves to 127.0.0.1 (DNS rebinding) carries that name as Host.
  if (is_loopback_host(options_.host) && !is_loopback_host(host_of(req.get_header_value("Host")))) {
    refuse(res, 403, jsonrpc::kInvalidRequest, "Host must be a loopback name on a loopback listener");
    return false;
  }
  return true;
}

std::shared_ptr<HttpTransport::SessionEntry> HttpTransport::open_session(std::string& id) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    bool idle = it->second->calls.empty() && now - it->second->last_used > options_.session_idle;
    it = idle ? sessions_.erase(it) : std::next(it);
  }
  if (sessions_.size() >= options_.max_sessions) return nullptr;
  id = make_uuid_v4();
  auto entry = std::make_shared<SessionEntry>();
  entry->last_used = now;
  sessions_[id] = entry;
  return entry;
}

std::shared_ptr<HttpTransport::SessionEntry> HttpTransport::find_session(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  it->second->last_used = std::chrono::steady_clock::now();
  return it->second;
}

void HttpTransport::post(const httplib::Request& req, httplib::Response& res) {
  if (stopping_) return refuse(res, 503, jsonrpc::kInternalError, "the server is stopping");
  auto parsed = parse_json_bounded(req.body);
  if (!parsed) return refuse(res, 400, jsonrpc::kParseError, parsed.error().message);
  if (parsed->is_array()) return refuse(res, 400, jsonrpc::kInvalidRequest, "JSON-RPC batches are not supported: send one message per POST");
  auto message = jsonrpc::read_message(*parsed);
  if (!message) return reply(res, 400, jsonrpc::error_response(message.failure().id, message.failure().error));
  if (req.has_header("MCP-Protocol-Version") && !supported_version(req.get_header_value("MCP-Protocol-Version")))
    return refuse(res, 400, jsonrpc::kInvalidRequest, "unsupported MCP-Protocol-Version " + excerpt(req.get_header_value("MCP-Protocol-Version"), 40));
  if (message->kind == Kind::request && message->method == "initialize") {
    std::string id;
    auto entry = open_session(id);
    if (!entry) return refuse(res, 503, jsonrpc::kInternalError, "too many sessions (" + std::to_string(options_.max_sessions) + ", --max-sessions)");
    auto response = server_.handle(*message, entry->session, nullptr, {});  // the entry is not shared yet
    res.set_header("Mcp-Session-Id", id);
    return reply(res, 200, *response);
  }
  std::string id = req.get_header_value("Mcp-Session-Id");
  if (id.empty()) return refuse(res, 400, jsonrpc::kInvalidRequest, "Mcp-Session-Id is required: initialize first");
  auto entry = find_session(id);
  if (!entry) return refuse(res, 404, jsonrpc::kInvalidRequest, "unknown or ended session");
  if (message->kind != Kind::request) {
    std::lock_guard lock(mutex_);
    if (auto key = Server::cancelled_request(*message); !key.empty()) {
      if (auto call = entry->calls.find(key); call != entry->calls.end()) call->second->store(true);
    } else {
      server_.handle(*message, entry->session, nullptr, {});
    }
    res.status = 202;
    return;
  }
  auto key = Server::id_key(message->id);
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  Session scratch;
  {
    std::lock_guard lock(mutex_);
    entry->calls[key] = cancelled;
    scratch = entry->session;
  }
  auto finished = [this, entry, key] {
    std::lock_guard lock(mutex_);
    entry->calls.erase(key);
    entry->last_used = std::chrono::steady_clock::now();
  };
  if (wants_progress_stream(req, *message)) return stream_call(*message, scratch, cancelled, finished, res);
  auto response = server_.handle(*message, scratch, cancelled.get(), {});
  finished();
  if (response) return reply(res, 200, *response);
  res.status = 202;
}

// A tools/call with a progressToken from a client that accepts SSE is answered as a stream:
// its progress notifications, then the response, each as one `message` event.
void HttpTransport::stream_call(const jsonrpc::Message& message, const Session& session, std::shared_ptr<std::atomic<bool>> cancelled,
                                std::function<void()> finished, httplib::Response& res) {
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, message, session, cancelled](size_t, httplib::DataSink& sink) {
        auto send = [&](const json& event) {
          std::string frame = "event: message\ndata: " + wire_text(event) + "\n\n";
          if (!sink.write(frame.data(), frame.size())) cancelled->store(true);  // the client is gone
        };
        Session scratch = session;
        auto response = server_.handle(message, scratch, cancelled.get(), send);
        if (response) send(*response);
        sink.done();
        return true;
      },
      [finished](bool) { finished(); });
}

void HttpTransport::remove(const httplib::Request& req, httplib::Response& res) {
  std::string id = req.get_header_value("Mcp-Session-Id");
  if (id.empty()) return refuse(res, 400, jsonrpc::kInvalidRequest, "Mcp-Session-Id is required");
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return refuse(res, 404, jsonrpc::kInvalidRequest, "unknown or ended session");
  for (auto& [key, flag] : it->second->calls) flag->store(true);
  sessions_.erase(it);
  res.status = 204;
}

}  // namespace rt::cli::mcp
