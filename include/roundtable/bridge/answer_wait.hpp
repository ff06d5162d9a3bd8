#pragma once
// When a gateway client tells the bridge that it is about to wait (GatewayRequest::on_waiting):
// the bridge keeps its intake through a call answered at once and hands it over before a wait
// of unknown length (docs/performance.md, change 16).
#include <chrono>
#include <cstddef>

#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {

// How long a client watches for an answer to begin before it calls on_waiting.
inline constexpr std::chrono::milliseconds kAnswerGrace{2};

// Before send(): a new connection can take the connect timeout, and a body larger than the
// socket's buffers can wait for the gateway to read it, so both call on_waiting first.
void before_sending(const GatewayRequest& request, bool connection_open, size_t body_bytes);

// Once the whole request is written: on_sent, then on_waiting unless the answer begins to
// arrive on `socket` within kAnswerGrace, then on_slow unless it begins within slow_after.
void request_written(const GatewayRequest& request, int socket);

}  // namespace rt::bridge
