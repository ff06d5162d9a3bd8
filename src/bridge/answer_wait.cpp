#include "roundtable/bridge/answer_wait.hpp"

#include <poll.h>

#include <algorithm>

namespace rt::bridge {
namespace {

// A body this small fits the socket's buffers: writing it cannot block on a gateway that stalls.
constexpr size_t kBodyThatFitsTheSocket = 16 * 1024;

bool answer_begins_within(int socket, std::chrono::milliseconds wait) {
  pollfd ready{socket, POLLIN, 0};
  return ::poll(&ready, 1, static_cast<int>(wait.count())) > 0;
}

}  // namespace

void before_sending(const GatewayRequest& request, bool connection_open, size_t body_bytes) {
  if (request.on_waiting && (!connection_open || body_bytes > kBodyThatFitsTheSocket)) request.on_waiting();
}

void request_written(const GatewayRequest& request, int socket) {
  if (request.on_sent) request.on_sent();
  const bool watch_for_slow = request.on_slow && request.slow_after.count() > 0;
  if (!request.on_waiting && !watch_for_slow) return;
  const auto grace = watch_for_slow ? std::min(kAnswerGrace, request.slow_after) : kAnswerGrace;
  if (answer_begins_within(socket, grace)) return;
  if (request.on_waiting) request.on_waiting();
  if (watch_for_slow && !answer_begins_within(socket, request.slow_after - grace)) request.on_slow();
}

}  // namespace rt::bridge
