#pragma once
// How JSON-RPC messages reach one MCP server: a child process's stdin/stdout (stdio) or POSTs
// to a URL (Streamable HTTP). McpSession speaks the protocol over it.
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/jsonrpc/message.hpp"

namespace rt::mcp {

using Deadline = std::chrono::steady_clock::time_point;
// Notifications (and requests) the server sends on its own, e.g. notifications/tools/list_changed.
using MessageHandler = std::function<void(const jsonrpc::Message&)>;

// Largest JSON-RPC message read from a server; a longer one fails the calls waiting on it.
inline constexpr size_t kMaxMessageBytes = size_t{8} << 20;
inline constexpr size_t kMaxMessageDepth = 64;

// The errors a transport returns, by code:
//   io_error            the message was not delivered (safe to send again after a restart)
//   unavailable         the server is gone, unreachable or answered with an HTTP error
//   not_found           (HTTP) the server no longer knows the session: initialize again
//   timeout             no answer by the deadline
//   invalid_params      the answer was not JSON-RPC, or too large or too deep
class Transport {
 public:
  virtual ~Transport() = default;
  // stdio: starts the server process; HTTP: forgets any session.
  virtual Status open(Deadline deadline) = 0;
  // stdio: the process runs; HTTP: always.
  virtual bool is_open() const = 0;
  // Sends a request (its "id" is an integer) and waits for the response with that id.
  virtual Result<jsonrpc::Message> request(const nlohmann::json& message, Deadline deadline) = 0;
  virtual Status notify(const nlohmann::json& message, Deadline deadline) = 0;
  // After initialize: HTTP sends it as MCP-Protocol-Version on every later request.
  virtual void set_protocol_version(const std::string&) {}
  // Stops the server (stdio) or ends the session (HTTP DELETE); pending requests fail.
  virtual void close() = 0;
};

}  // namespace rt::mcp
