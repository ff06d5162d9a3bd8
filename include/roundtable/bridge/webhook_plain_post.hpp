#pragma once
// POST /webhook to an http:// gateway over a keep-alive connection of the bridge's own: the
// head and the task's bytes leave in one send, and the answer is read with as few system calls
// as it allows (docs/performance.md, change 21). https:// gateways go through httplib.
#include <chrono>
#include <string>

#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/http/plain_connection.hpp"

namespace rt::bridge {

// `timeout`: each wait to write or to read (GATEWAY_TIMEOUT), as httplib's client applies it.
GatewayOutcome post_webhook_plain(http::PlainConnectionPool& pool, const GatewayRequest& request, const std::string& token,
                                  const ProgressSink& progress, std::chrono::milliseconds timeout);

}  // namespace rt::bridge
