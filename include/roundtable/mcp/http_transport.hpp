#pragma once
// An MCP server over Streamable HTTP: every message is a POST to the server's URL accepting
// application/json or text/event-stream; a request's answer comes either as one JSON body or as
// an SSE stream read until the response with its id arrives (notifications on the way go to the
// MessageHandler). The Mcp-Session-Id from initialize, and the negotiated MCP-Protocol-Version,
// go on every later request; a 404 for that session (400 from some servers) is `not_found`,
// so the session initializes again. Once initialized, the server's GET event stream (when it
// offers one) is held open for the messages it sends on its own.
#include <memory>
#include <mutex>
#include <optional>

#include <httplib.h>

#include "roundtable/common/log.hpp"
#include "roundtable/mcp/event_stream.hpp"
#include "roundtable/mcp/server_config.hpp"
#include "roundtable/mcp/transport.hpp"

namespace rt::mcp {

class HttpTransport final : public Transport {
 public:
  HttpTransport(ServerConfig config, MessageHandler on_message, Logger logger);
  ~HttpTransport() override;

  Status open(Deadline deadline) override;
  bool is_open() const override { return true; }
  Result<jsonrpc::Message> request(const nlohmann::json& message, Deadline deadline) override;
  Status notify(const nlohmann::json& message, Deadline deadline) override;
  void set_protocol_version(const std::string& version) override;
  void close() override;

 private:
  struct Answer {
    int status = 0;
    std::optional<jsonrpc::Message> response;
  };
  Result<Answer> post(const nlohmann::json& message, std::optional<int64_t> id, Deadline deadline);
  std::unique_ptr<httplib::Client> client(Deadline deadline) const;
  httplib::Headers headers(const std::string& session) const;
  // A parsed message from the server: the response we wait for, or one for the handler.
  void take(const std::string& text, std::optional<int64_t> id, std::optional<jsonrpc::Message>& response);

  ServerConfig config_;
  MessageHandler on_message_;
  Logger logger_;
  std::string origin_;  // scheme://host[:port]
  std::string path_;
  mutable std::mutex mutex_;
  std::string session_id_;
  std::string protocol_version_;
  std::unique_ptr<EventStream> events_;
};

}  // namespace rt::mcp
