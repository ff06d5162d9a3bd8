#pragma once
// One POST to an http:// gateway over a keep-alive connection of the bridge's own, for both
// gateway modes: the head and the body leave in one send, and the answer is read with as few
// system calls as it allows (docs/performance.md, change 21). https:// gateways go through httplib.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/http/plain_connection.hpp"
#include "roundtable/http/response_parser.hpp"

namespace rt::bridge {

using HeaderSink = std::function<void(std::string_view name, std::string_view value)>;

struct PlainCall {
  std::string_view path;
  // Gives the request's headers to the sink; Host, User-Agent and Content-Length are added here.
  std::function<void(const HeaderSink&)> headers;
  std::string_view body;
  // Emptied, its memory released, once the body is written: the gateway may think for minutes.
  std::string* release_once_sent = nullptr;
};

struct PlainReply {
  http::ResponseHead head;              // of a whole answer
  std::optional<GatewayOutcome> lost;   // no whole answer: the connection failed, timed out or broke the protocol
  bool stopped_by_reader = false;       // the body sink refused more: the caller's own limit
};

// Sends `call` and reads the answer: on_head once its head is in, then its body, decoded, to
// on_body. `timeout` bounds each wait to write or to read (GATEWAY_TIMEOUT). The GatewayRequest's
// hooks are called as for any gateway call (answer_wait.hpp).
PlainReply exchange_plain(http::PlainConnectionPool& pool, const GatewayRequest& request, const PlainCall& call,
                          std::chrono::milliseconds timeout, const std::function<void(const http::ResponseHead&)>& on_head,
                          const http::ResponseParser::BodySink& on_body);

}  // namespace rt::bridge
