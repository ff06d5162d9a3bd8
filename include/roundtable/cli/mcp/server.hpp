#pragma once
// The MCP server of `roundtable mcp`, apart from its transports: initialize (version
// negotiation), ping, tools/*, resources/*; one JSON-RPC message in, the response out.
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/cli/mcp/tools.hpp"
#include "roundtable/common/log.hpp"
#include "roundtable/jsonrpc/message.hpp"

namespace rt::cli::mcp {

// MCP revisions this server speaks, newest first; the first is answered to any other request.
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
bool supported_version(std::string_view version);
std::string negotiate_version(std::string_view requested);

// MCP's "resource not found" (the JSON-RPC server-error range).
inline constexpr int kResourceNotFound = -32002;

// What a transport keeps per client connection or Mcp-Session-Id.
struct Session {
  std::string protocol_version;  // empty until initialize
  bool initialized = false;      // notifications/initialized seen
  std::string client;            // clientInfo.name, for logs
};

// Caps the tool calls that run at once, over every session and transport.
class CallSlots {
 public:
  explicit CallSlots(size_t max) : max_(max) {}
  bool try_enter();
  void leave();
  size_t max() const { return max_; }

 private:
  std::mutex mutex_;
  size_t max_, running_ = 0;
};

// A notification the server sends while a call runs (progress); empty when the transport has
// no channel for one.
using Notify = std::function<void(const nlohmann::json& notification)>;

class Server {
 public:
  Server(Tools& tools, Fleet& fleet, RecentResults& results, size_t max_calls, Logger logger);
  // A request's response, or nothing for a notification or a response.
  std::optional<nlohmann::json> handle(const jsonrpc::Message& message, Session& session, const std::atomic<bool>* cancelled,
                                       const Notify& notify);
  // The id of the request a notifications/cancelled names, as a key (json dump); empty if none.
  static std::string cancelled_request(const jsonrpc::Message& message);
  static std::string id_key(const nlohmann::json& id) { return id.dump(); }
  const Logger& logger() const { return logger_; }

 private:
  nlohmann::json initialize(const nlohmann::json& params, Session& session);
  nlohmann::json call_tool(const jsonrpc::Message& message, const std::atomic<bool>* cancelled, const Notify& notify);
  nlohmann::json list_resources();
  nlohmann::json read_resource(const nlohmann::json& id, const nlohmann::json& params);

  Tools& tools_;
  Fleet& fleet_;
  RecentResults& results_;
  CallSlots slots_;
  Logger logger_;
};

// JSON text for the wire: bytes from the bus that are not UTF-8 become U+FFFD instead of throwing.
std::string wire_text(const nlohmann::json& message);

}  // namespace rt::cli::mcp
