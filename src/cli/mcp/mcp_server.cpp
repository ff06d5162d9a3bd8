// The MCP methods, whatever carries them.
#include "roundtable/cli/mcp/server.hpp"

#include <algorithm>

namespace rt::cli::mcp {

using nlohmann::json;
using namespace rt::jsonrpc;

namespace {

constexpr const char* kInstructions =
    "Round Table fleet: `knights` lists the live knights with their domains and capabilities; `ask` sends one task to a "
    "knight or domain and waits for its answer; `fanout` asks several knights at once. Recent answers are resources "
    "roundtable://results/<task-id>; the roster is roundtable://knights.";

}  // namespace

bool supported_version(std::string_view version) {
  return std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), version) != std::end(kProtocolVersions);
}

std::string negotiate_version(std::string_view requested) {
  return std::string(supported_version(requested) ? requested : kProtocolVersions[0]);
}

std::string wire_text(const json& message) { return message.dump(-1, ' ', false, json::error_handler_t::replace); }

bool CallSlots::try_enter() {
  std::lock_guard lock(mutex_);
  if (running_ >= max_) return false;
  ++running_;
  return true;
}

void CallSlots::leave() {
  std::lock_guard lock(mutex_);
  if (running_ > 0) --running_;
}

Server::Server(Tools& tools, Fleet& fleet, RecentResults& results, size_t max_calls, Logger logger)
    : tools_(tools), fleet_(fleet), results_(results), slots_(max_calls), logger_(std::move(logger)) {}

std::string Server::cancelled_request(const Message& message) {
  if (message.kind != Kind::notification || message.method != "notifications/cancelled" || !message.params.is_object()) return "";
  auto id = message.params.find("requestId");
  if (id == message.params.end() || !(id->is_string() || id->is_number_integer())) return "";
  return id_key(*id);
}

std::optional<json> Server::handle(const Message& message, Session& session, const std::atomic<bool>* cancelled, const Notify& notify) {
  if (message.kind == Kind::response) return std::nullopt;  // the server sends no requests
  if (message.kind == Kind::notification) {
    if (message.method == "notifications/initialized") session.initialized = true;
    return std::nullopt;
  }
  const std::string& method = message.method;
  const json params = message.params.is_object() ? message.params : json::object();
  if (method == "initialize") return result_response(message.id, initialize(params, session));
  if (method == "ping") return result_response(message.id, json::object());
  if (method == "tools/list") return result_response(message.id, {{"tools", tools_.list()}});
  if (method == "tools/call") {
    if (!message.params.is_object() || !params.contains("name") || !params["name"].is_string())
      return error_response(message.id, {kInvalidParams, "tools/call needs params.name, the tool's name", std::nullopt});
    auto name = params["name"].get<std::string>();
    if (name != "ask" && name != "fanout" && name != "knights")
      return error_response(message.id, {kInvalidParams, "unknown tool '" + name + "' (tools: ask, fanout, knights)", std::nullopt});
    return result_response(message.id, call_tool(message, cancelled, notify));
  }
  if (method == "resources/list") return result_response(message.id, list_resources());
  if (method == "resources/templates/list")
    return result_response(message.id, {{"resourceTemplates", json::array({{{"uriTemplate", kResultsUriTemplate},
                                                                             {"name", "result"},
                                                                             {"title", "A task's answer"},
                                                                             {"description", "The answer to a task this server sent"},
                                                                             {"mimeType", "application/json"}}})}});
  if (method == "resources/read") return read_resource(message.id, params);
  return error_response(message.id, {kMethodNotFound, "method not found: " + method, std::nullopt});
}

json Server::initialize(const json& params, Session& session) {
  std::string requested = params.contains("protocolVersion") && params["protocolVersion"].is_string() ? params["protocolVersion"].get<std::string>() : "";
  session.protocol_version = negotiate_version(requested);
  if (params.contains("clientInfo") && params["clientInfo"].is_object() && params["clientInfo"].contains("name") &&
      params["clientInfo"]["name"].is_string())
    session.client = params["clientInfo"]["name"].get<std::string>().substr(0, 128);
  logger_.info("mcp.initialize", {{"client", session.client}, {"requested", requested}, {"protocol", session.protocol_version}});
  return {{"protocolVersion", session.protocol_version},
          {"capabilities", {{"tools", {{"listChanged", false}}}, {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
          {"serverInfo", {{"name", "roundtable"}, {"title", "Round Table fleet (" + fleet_.name() + ")"}, {"version", RT_VERSION}}},
          {"instructions", kInstructions}};
}

json Server::call_tool(const Message& message, const std::atomic<bool>* cancelled, const Notify& notify) {
  const json& params = message.params;
  const std::string name = params["name"].get<std::string>();
  if (!slots_.try_enter())
    return tool_error("busy: " + std::to_string(slots_.max()) + " tool calls are running (--max-calls); try again shortly");
  struct Leave {
    CallSlots& slots;
    ~Leave() { slots.leave(); }
  } leave{slots_};
  CallContext context;
  context.cancelled = cancelled;
  json token = params.contains("_meta") && params["_meta"].is_object() ? params["_meta"].value("progressToken", json()) : json();
  if (notify && (token.is_string() || token.is_number_integer()))
    context.progress = [&notify, token](double progress, double total, const std::string& text) {
      notify(notification("notifications/progress", {{"progressToken", token}, {"progress", progress}, {"total", total}, {"message", text}}));
    };
  auto started = std::chrono::steady_clock::now();
  auto result = tools_.call(name, params.value("arguments", json::object()), context);
  json out = result ? std::move(*result) : tool_error(result.error().message);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  logger_.info("mcp.call", {{"tool", name}, {"isError", out.value("isError", false)}, {"ms", ms}});
  return out;
}

json Server::list_resources() {
  json resources = json::array({{{"uri", kKnightsUri},
                                 {"name", "knights"},
                                 {"title", "The fleet's knights"},
                                 {"description", "The live roster of fleet " + fleet_.name() + " from the knights' heartbeats"},
                                 {"mimeType", "application/json"}}});
  for (auto& entry : results_.list()) resources.push_back(std::move(entry));
  return {{"resources", resources}};
}

json Server::read_resource(const json& id, const json& params) {
  std::string uri = params.contains("uri") && params["uri"].is_string() ? params["uri"].get<std::string>() : "";
  if (uri.empty()) return error_response(id, {kInvalidParams, "resources/read needs params.uri", std::nullopt});
  auto contents = [&](const json& doc) {
    return result_response(id, {{"contents", json::array({{{"uri", uri}, {"mimeType", "application/json"}, {"text", wire_text(doc)}}})}});
  };
  if (uri == kKnightsUri) {
    auto roster = fleet_.roster();
    if (!roster) return error_response(id, {kInternalError, roster.error().message, std::nullopt});
    json knights = json::array();
    for (const auto& knight : *roster) knights.push_back(to_json(knight));
    return contents({{"fleet", fleet_.name()}, {"knights", knights}});
  }
  auto task_id = task_id_of_uri(uri);
  auto answer = task_id.empty() ? std::nullopt : results_.find(task_id);
  if (!answer) return error_response(id, {kResourceNotFound, "resource not found: " + uri, json{{"uri", uri}}});
  if (!answer->answered) {
    auto late = fleet_.late_answer(*answer);
    if (late && late->answered) {
      results_.update(*late);
      answer = *late;
    }
  }
  json doc = cli::to_json(*answer);
  if (!answer->answered) doc["status"] = "pending", doc["message"] = "no answer yet";
  return contents(doc);
}

}  // namespace rt::cli::mcp
