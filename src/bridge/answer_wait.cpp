#include "roundtable/bridge/answer_wait.hpp"

#include <poll.h>

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
  if (request.on_waiting && !answer_begins_within(socket, kAnswerGrace)) request.on_waiting();
}

}  // namespace rt::bridge
