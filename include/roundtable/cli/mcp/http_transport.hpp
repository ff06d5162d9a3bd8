#pragma once
// MCP over Streamable HTTP: POST /mcp answers with application/json (a tools/call with a
// progressToken, from a client that accepts it, with an SSE stream of its progress and then
// its response); Mcp-Session-Id is issued at initialize and required afterwards (404 for an
// unknown or ended one); DELETE /mcp ends a session; GET /mcp is 405 (no server-initiated stream). Against DNS rebinding, a browser's
// Origin must be allowed and, on a loopback address, Host must be a loopback name. A bearer
// token guards every request when set. Bodies, sessions and running calls are capped.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "roundtable/cli/mcp/server.hpp"
#include "roundtable/http/server.hpp"

namespace rt::cli::mcp {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (printed)
  std::string token;                         // bearer token; empty: none
  std::vector<std::string> allowed_origins;  // besides loopback origins
  size_t max_sessions = 32;
  std::chrono::milliseconds session_idle{std::chrono::minutes(30)};  // idle sessions give way to new ones
  size_t max_body_bytes = 1024 * 1024;
  size_t max_calls = 8;
};

bool is_loopback_host(const std::string& host);

class HttpTransport {
 public:
  HttpTransport(Server& server, HttpOptions options);
  ~HttpTransport();
  // Binds; the port bound, or an error.
  Result<int> bind();
  // Serves until stop().
  void run();
  // From any thread: cancels running calls and stops the listener.
  void stop();

 private:
  struct SessionEntry {
    Session session;
    std::chrono::steady_clock::time_point last_used;
    std::map<std::string, std::shared_ptr<std::atomic<bool>>> calls;  // request id key -> cancel flag
  };
  void routes();
  bool admitted(const httplib::Request& req, httplib::Response& res) const;
  void post(const httplib::Request& req, httplib::Response& res);
  void remove(const httplib::Request& req, httplib::Response& res);
  void stream_call(const jsonrpc::Message& message, const Session& session, std::shared_ptr<std::atomic<bool>> cancelled,
                   std::function<void()> finished, httplib::Response& res);
  std::shared_ptr<SessionEntry> open_session(std::string& id);
  std::shared_ptr<SessionEntry> find_session(const std::string& id);

  Server& server_;
  HttpOptions options_;
  std::unique_ptr<http::Server> http_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions_;
  std::atomic<bool> stopping_{false};
};

}  // namespace rt::cli::mcp
