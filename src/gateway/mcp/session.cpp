#include "roundtable/mcp/session.hpp"

#include <algorithm>

#include "roundtable/mcp/http_transport.hpp"
#include "roundtable/mcp/stdio_transport.hpp"

#ifndef RT_VERSION
#define RT_VERSION "0"
#endif

namespace rt::mcp {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr size_t kMaxPages = 100;
constexpr size_t kMaxTools = 1000;

std::chrono::milliseconds restart_pause(int failures) {
  return std::min(std::chrono::milliseconds(60'000), std::chrono::milliseconds(1000) * (1 << std::min(failures - 1, 6)));
}

std::string rpc_text(const jsonrpc::RpcError& error) { return error.message + " (JSON-RPC " + std::to_string(error.code) + ")"; }

}  // namespace

Session::Session(ServerConfig config, Logger logger, std::function<void()> on_tools_changed)
    : config_(std::move(config)), logger_(std::move(logger)), on_tools_changed_(std::move(on_tools_changed)) {
  MessageHandler on_message = [this](const jsonrpc::Message& message) {
    if (message.method == "notifications/tools/list_changed") {
      logger_.info("mcp.tools_changed", {{"server", config_.name}});
      tools_changed();
    }
  };
  if (config_.transport == TransportKind::stdio) transport_ = std::make_unique<StdioTransport>(config_, on_message, logger_);
  else transport_ = std::make_unique<HttpTransport>(config_, on_message, logger_);
}

Session::~Session() { close(); }

void Session::close() {
  std::lock_guard lock(ready_mutex_);  // waits for a start under way (bounded by its deadline)
  closed_ = true;
  ready_ = false;
  transport_->close();
}

void Session::tools_changed() const {
  if (on_tools_changed_) on_tools_changed_();
}

Status Session::initialize(Deadline deadline) {
  json params = {{"protocolVersion", kProtocolVersions[0]},
                 {"capabilities", json::object()},
                 {"clientInfo", {{"name", "roundtable-knight-gateway"}, {"version", RT_VERSION}}}};
  auto answer = transport_->request(jsonrpc::request(next_id_++, "initialize", params), deadline);
  if (!answer) return answer.error();
  if (answer->error) return make_error(ErrorCode::unavailable, "initialize was refused: " + rpc_text(*answer->error));
  const json& result = answer->result;
  std::string version = result.is_object() && result.contains("protocolVersion") && result["protocolVersion"].is_string()
                            ? result["protocolVersion"].get<std::string>() : "";
  if (std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), version) == std::end(kProtocolVersions))
    return make_error(ErrorCode::unavailable, "the server speaks MCP protocol '" + version + "', which this client does not");
  transport_->set_protocol_version(version);
  if (auto sent = transport_->notify(jsonrpc::notification("notifications/initialized", json::object()), deadline); !sent) return sent.error();
  std::string server_name = result.contains("serverInfo") && result["serverInfo"].is_object() && result["serverInfo"].contains("name") &&
                                    result["serverInfo"]["name"].is_string() ? result["serverInfo"]["name"].get<std::string>() : "";
  logger_.info("mcp.initialized", {{"server", config_.name}, {"protocol_version", version}, {"server_info", server_name}});
  return {};
}

Status Session::ensure_ready(Deadline deadline) {
  std::unique_lock lock(ready_mutex_, deadline);
  if (!lock.owns_lock()) return make_error(ErrorCode::timeout, "the server was still starting at the deadline");
  if (closed_) return make_error(ErrorCode::unavailable, "the gateway is shutting down");
  if (ready_ && transport_->is_open()) return {};
  ready_ = false;
  auto now = Steady::now();
  if (failures_ > 0 && now < retry_at_) {
    auto wait = std::chrono::duration_cast<std::chrono::seconds>(retry_at_ - now).count() + 1;
    return make_error(ErrorCode::unavailable, "the server is down (" + last_failure_ + "); the next start is in " + std::to_string(wait) + "s");
  }
  Status started = transport_->open(deadline);
  if (started) started = initialize(deadline);
  if (!started) {
    ++failures_;
    retry_at_ = Steady::now() + restart_pause(failures_);
    last_failure_ = started.error().message;
    logger_.warn("mcp.start_failed", {{"server", config_.name}, {"error", last_failure_}, {"failures", failures_}});
    if (config_.transport == TransportKind::stdio) transport_->close();
    return make_error(started.error().code == ErrorCode::timeout ? ErrorCode::timeout : ErrorCode::unavailable,
                      "cannot start the server: " + last_failure_);
  }
  failures_ = 0;
  ready_ = true;
  if (++starts_ > 1) tools_changed();  // a restarted server may offer other tools
  return {};
}

void Session::mark_unready(Deadline deadline) {
  std::unique_lock lock(ready_mutex_, deadline);
  if (lock.owns_lock()) ready_ = false;
}

Result<jsonrpc::Message> Session::request(const std::string& method, const json& params, Deadline deadline) {
  for (int attempt = 0;; ++attempt) {
    if (auto ready = ensure_ready(deadline); !ready) return ready.error();
    const int64_t id = next_id_++;
    auto answer = transport_->request(jsonrpc::request(id, method, params), deadline);
    if (answer) return answer;
    const auto code = answer.error().code;
    if ((code == ErrorCode::io_error || code == ErrorCode::not_found) && attempt == 0) {
      mark_unready(deadline);  // not delivered, or the session is gone: start again and resend once
      continue;
    }
    if (code == ErrorCode::timeout) {
      // The request may still be running: ask the server to stop (a courtesy; it may not).
      auto cancelled = transport_->notify(jsonrpc::notification("notifications/cancelled", {{"requestId", id}, {"reason", "deadline"}}),
                                          Steady::now() + std::chrono::milliseconds(500));
      (void)cancelled;
    }
    return answer.error();
  }
}

Result<std::vector<RemoteTool>> Session::list_tools(Deadline deadline) {
  std::vector<RemoteTool> tools;
  std::optional<std::string> cursor;
  for (size_t page = 0; page < kMaxPages; ++page) {
    json params = json::object();
    if (cursor) params["cursor"] = *cursor;
    auto answer = request("tools/list", params, deadline);
    if (!answer) return answer.error();
    if (answer->error) return make_error(ErrorCode::unavailable, "tools/list failed: " + rpc_text(*answer->error));
    const json& result = answer->result;
    if (!result.is_object() || !result.contains("tools") || !result["tools"].is_array())
      return make_error(ErrorCode::invalid_params, "tools/list answered without a tools list");
    for (const auto& item : result["tools"]) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string() || tools.size() >= kMaxTools) continue;
      RemoteTool tool{item["name"], "", {{"type", "object"}}};
      if (item.contains("description") && item["description"].is_string()) tool.description = item["description"];
      if (item.contains("inputSchema") && item["inputSchema"].is_object()) tool.input_schema = item["inputSchema"];
      tools.push_back(std::move(tool));
    }
    if (!result.contains("nextCursor") || !result["nextCursor"].is_string()) return tools;
    cursor = result["nextCursor"].get<std::string>();
  }
  return tools;
}

Result<CallAnswer> Session::call_tool(const std::string& name, const json& arguments, Deadline deadline) {
  auto answer = request("tools/call", {{"name", name}, {"arguments", arguments}}, deadline);
  if (!answer) return answer.error();
  if (answer->error) return CallAnswer{json::object(), answer->error};
  if (!answer->result.is_object()) return make_error(ErrorCode::invalid_params, "tools/call answered with something other than an object");
  return CallAnswer{answer->result, std::nullopt};
}

}  // namespace rt::mcp
