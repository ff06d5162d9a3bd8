#include "roundtable/mcp/http_transport.hpp"

#include <algorithm>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/http/client_pool.hpp"
#include "roundtable/mcp/sse_reader.hpp"

namespace rt::mcp {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Deadline deadline) {
  return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()));
}

bool is_event_stream(const std::string& content_type) { return content_type.find("text/event-stream") != std::string::npos; }

}  // namespace

HttpTransport::HttpTransport(ServerConfig config, MessageHandler on_message, Logger logger)
    : config_(std::move(config)), on_message_(std::move(on_message)), logger_(std::move(logger)) {
  auto scheme_end = config_.url.find("://");
  auto slash = config_.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  origin_ = config_.url.substr(0, slash);
  path_ = slash == std::string::npos ? "/" : config_.url.substr(slash);
  EventStream::Hooks hooks;
  // A quiet stream is reopened every 15 s rather than held by one read for ever.
  hooks.make_client = [this] { return client(Steady::now() + std::chrono::seconds(15)); };
  hooks.headers = [this] {
    std::string session;
    {
      std::lock_guard lock(mutex_);
      session = session_id_;
    }
    return headers(session);
  };
  hooks.on_data = [this](const std::string& data) {
    std::optional<jsonrpc::Message> unasked;
    take(data, std::nullopt, unasked);
  };
  events_ = std::make_unique<EventStream>(path_, std::move(hooks), logger_.with({{"server", config_.name}}));
}

HttpTransport::~HttpTransport() { close(); }

Status HttpTransport::open(Deadline) {
  std::lock_guard lock(mutex_);
  session_id_.clear();
  protocol_version_.clear();
  return {};
}

void HttpTransport::set_protocol_version(const std::string& version) {
  {
    std::lock_guard lock(mutex_);
    protocol_version_ = version;
  }
  events_->start();
}

std::unique_ptr<httplib::Client> HttpTransport::client(Deadline deadline) const {
  auto client = std::make_unique<httplib::Client>(origin_);
  auto left = left_until(deadline);
  auto connect = std::min(left, std::chrono::milliseconds(10'000));
  client->set_connection_timeout(connect.count() / 1000, (connect.count() % 1000) * 1000);
  client->set_read_timeout(left.count() / 1000, (left.count() % 1000) * 1000);
  client->set_write_timeout(left.count() / 1000, (left.count() % 1000) * 1000);
  client->set_keep_alive(false);
  client->enable_server_certificate_verification(true);
  if (origin_.rfind("https://", 0) == 0) client->set_ca_cert_path(http::kSystemCaBundle);
  return client;
}

httplib::Headers HttpTransport::headers(const std::string& session) const {
  httplib::Headers out;
  for (const auto& [name, value] : config_.headers) out.emplace(name, value);
  out.emplace("Accept", "application/json, text/event-stream");
  if (!config_.bearer.empty()) out.emplace("Authorization", "Bearer " + config_.bearer);
  if (!session.empty()) out.emplace("Mcp-Session-Id", session);
  std::lock_guard lock(mutex_);
  if (!protocol_version_.empty()) out.emplace("MCP-Protocol-Version", protocol_version_);
  return out;
}

void HttpTransport::take(const std::string& text, std::optional<int64_t> id, std::optional<jsonrpc::Message>& response) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;  // an SSE priming event
  auto value = parse_json_bounded(text, {.max_depth = kMaxMessageDepth, .max_bytes = kMaxMessageBytes});
  if (!value) {
    logger_.warn("mcp.bad_output", {{"server", config_.name}, {"bytes", text.size()}, {"error", value.error().message}});
    return;
  }
  std::vector<json> messages = value->is_array() ? value->get<std::vector<json>>() : std::vector<json>{*value};
  for (const auto& item : messages) {
    auto message = jsonrpc::read_message(item);
    if (!message) continue;
    if (message->kind == jsonrpc::Kind::response) {
      if (id && message->id.is_number_integer() && message->id.get<int64_t>() == *id) response = *message;
    } else if (message->kind == jsonrpc::Kind::notification && on_message_) {
      on_message_(*message);
    } else if (message->kind == jsonrpc::Kind::request) {
      // Answered at once, on its own POST: the server may hold our answer back until it has it.
      json reply = message->method == "ping"
                       ? jsonrpc::result_response(message->id, json::object())
                       : jsonrpc::error_response(message->id, {jsonrpc::kMethodNotFound, "not supported by this client", std::nullopt});
      auto sent = post(reply, std::nullopt, Steady::now() + std::chrono::seconds(2));
      (void)sent;
    }
  }
}

Result<HttpTransport::Answer> HttpTransport::post(const json& message, std::optional<int64_t> id, Deadline deadline) {
  std::string session;
  {
    std::lock_guard lock(mutex_);
    session = session_id_;
  }
  httplib::Request req;
  req.method = "POST";
  req.path = path_;
  req.headers = headers(session);
  req.body = message.dump(-1, ' ', false, json::error_handler_t::replace);
  req.set_header("Content-Type", "application/json");
  Answer answer;
  std::string content_type, new_session, body;
  std::optional<Error> problem;
  SseReader sse(kMaxMessageBytes);
  req.response_handler = [&](const httplib::Response& res) {
    answer.status = res.status;
    content_type = res.get_header_value("Content-Type");
    new_session = res.get_header_value("Mcp-Session-Id");
    return true;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (Steady::now() > deadline) {
      problem = make_error(ErrorCode::timeout, "no answer by the deadline");
      return false;
    }
    if (answer.status != 200 || !is_event_stream(content_type)) {
      body.append(data, size);
      if (body.size() <= (answer.status == 200 ? kMaxMessageBytes : 4096)) return true;
      if (answer.status == 200) problem = make_error(ErrorCode::invalid_params, "the server's answer is over " + std::to_string(kMaxMessageBytes) + " bytes");
      return answer.status != 200;
    }
    for (const auto& event : sse.feed(std::string_view(data, size)))
      if (event.event == "message") take(event.data, id, answer.response);
    if (sse.failed()) problem = make_error(ErrorCode::invalid_params, "the server sent an event over " + std::to_string(kMaxMessageBytes) + " bytes");
    return !problem && !answer.response;  // the answer is in: the rest of the stream is not ours to wait for
  };
  auto result = client(deadline)->send(req);
  if (!new_session.empty()) {
    std::lock_guard lock(mutex_);
    if (session_id_.empty()) session_id_ = new_session;
  }
  if (problem) return *problem;
  if (answer.response) return answer;
  if (!result && answer.status == 0) {
    if (Steady::now() >= deadline || http::is_timeout(result.error())) return make_error(ErrorCode::timeout, "no answer by the deadline");
    return make_error(ErrorCode::unavailable, "cannot reach " + redact_url(origin_) + ": " + httplib::to_string(result.error()));
  }
  if ((answer.status == 404 || answer.status == 400) && !session.empty()) {
    std::lock_guard lock(mutex_);
    if (session_id_ == session) session_id_.clear();
    return make_error(ErrorCode::not_found, "the server no longer knows the session");
  }
  if (answer.status == 401 || answer.status == 403)
    return make_error(ErrorCode::unavailable, "the server refused the credentials (HTTP " + std::to_string(answer.status) + ")");
  if (answer.status == 202 && !id) return answer;
  if (answer.status != 200) return make_error(ErrorCode::unavailable, "the server answered HTTP " + std::to_string(answer.status));
  if (!is_event_stream(content_type) && id) take(body, id, answer.response);
  if (id && !answer.response) {
    if (!result && http::is_timeout(result.error())) return make_error(ErrorCode::timeout, "no answer by the deadline");
    return make_error(ErrorCode::invalid_params, "the server's reply held no response to request " + std::to_string(*id));
  }
  return answer;
}

Result<jsonrpc::Message> HttpTransport::request(const json& message, Deadline deadline) {
  auto answer = post(message, message.at("id").get<int64_t>(), deadline);
  if (!answer) return answer.error();
  return std::move(*answer->response);
}

Status HttpTransport::notify(const json& message, Deadline deadline) {
  auto answer = post(message, std::nullopt, deadline);
  if (!answer) return answer.error();
  return {};
}

void HttpTransport::close() {
  events_->stop();
  std::string session;
  {
    std::lock_guard lock(mutex_);
    session = std::exchange(session_id_, "");
  }
  if (session.empty()) return;
  // Ending the session is a courtesy: a server that is gone costs at most a second.
  auto client = this->client(Steady::now() + std::chrono::seconds(1));
  client->Delete(path_, headers(session));
}

}  // namespace rt::mcp
