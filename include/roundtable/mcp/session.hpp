#pragma once
// One MCP server as the gateway's client sees it: started (or reached) on first use,
// initialized (protocol version negotiated, notifications/initialized sent), restarted when it
// died, with a growing pause after failed starts; tools/list (every page) and tools/call, each
// bounded by a deadline. A call that was not delivered (the process had died, or the HTTP
// session expired) is sent once more after a restart; one that was delivered never is.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/mcp/server_config.hpp"
#include "roundtable/mcp/transport.hpp"

namespace rt::mcp {

// The protocol revisions this client speaks, newest first (those of the MCP SDK 1.32).
inline constexpr const char* kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

struct RemoteTool {
  std::string name;
  std::string description;
  nlohmann::json input_schema = {{"type", "object"}};
};

// A tools/call answer: the CallToolResult, or the JSON-RPC error the server returned.
struct CallAnswer {
  nlohmann::json result;
  std::optional<jsonrpc::RpcError> rpc_error;
};

class Session {
 public:
  // on_tools_changed: the server said its tools changed, or it was restarted (any thread).
  Session(ServerConfig config, Logger logger, std::function<void()> on_tools_changed);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Result<std::vector<RemoteTool>> list_tools(Deadline deadline);
  Result<CallAnswer> call_tool(const std::string& name, const nlohmann::json& arguments, Deadline deadline);
  // The server's tools may have changed (a call named an unknown tool).
  void tools_changed() const;
  void close();
  const ServerConfig& config() const { return config_; }

 private:
  Result<jsonrpc::Message> request(const std::string& method, const nlohmann::json& params, Deadline deadline);
  Status ensure_ready(Deadline deadline);
  Status initialize(Deadline deadline);
  void mark_unready(Deadline deadline);

  ServerConfig config_;
  Logger logger_;
  std::function<void()> on_tools_changed_;
  std::unique_ptr<Transport> transport_;
  std::atomic<int64_t> next_id_{1};
  std::timed_mutex ready_mutex_;  // guards what follows; held while starting
  bool ready_ = false;
  bool closed_ = false;
  int starts_ = 0;
  int failures_ = 0;  // failed starts in a row
  std::chrono::steady_clock::time_point retry_at_;
  std::string last_failure_;
};

}  // namespace rt::mcp
