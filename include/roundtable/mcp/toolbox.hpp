#pragma once
// The knight's MCP servers (knight.yaml `mcp_servers`) and their tools in the ToolRegistry.
// start() lists every server's tools at once (each within its timeout) before the gateway
// serves; a server that could not be listed then, that said its tools changed
// (notifications/tools/list_changed), that was restarted, or whose call named an unknown tool,
// is listed again by a background thread, with a growing pause while it keeps failing.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "roundtable/common/log.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/mcp/server_config.hpp"
#include "roundtable/mcp/session.hpp"

namespace rt::mcp {

class Toolbox {
 public:
  Toolbox(std::vector<ServerConfig> servers, gateway::ToolRegistry& registry, size_t max_output_bytes, Logger logger);
  ~Toolbox();  // stops the stdio servers and ends the HTTP sessions
  Toolbox(const Toolbox&) = delete;
  Toolbox& operator=(const Toolbox&) = delete;

  void start();

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    bool stale = true;
    int failures = 0;
    std::chrono::steady_clock::time_point due;
  };
  // Lists one server's tools into the registry; false when the server could not be listed.
  bool refresh(const std::shared_ptr<Session>& session);
  void mark_stale(size_t index);
  void refresh_loop();

  gateway::ToolRegistry& registry_;
  size_t max_output_bytes_;
  Logger logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<Entry> entries_;
  std::thread refresher_;
};

}  // namespace rt::mcp
