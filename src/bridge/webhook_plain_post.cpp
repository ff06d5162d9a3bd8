#include "roundtable/bridge/webhook_plain_post.hpp"

#include "roundtable/bridge/answer_wait.hpp"
#include "roundtable/bridge/webhook_answer.hpp"
#include "roundtable/http/response_parser.hpp"

namespace rt::bridge {
namespace {

constexpr std::chrono::seconds kConnectTimeout{5};  // as the httplib clients' (tune_client)

std::string request_head(const http::PlainOrigin& origin, const GatewayRequest& request, const std::string& token) {
  std::string head;
  head.reserve(384 + token.size());
  head.append("POST /webhook HTTP/1.1\r\nHost: ").append(origin.host_header).append("\r\nUser-Agent: roundtable-nats-bridge\r\n");
  each_webhook_header(request, token, [&head](std::string_view name, std::string_view value) {
    head.append(name).append(": ").append(value).append("\r\n");
  });
  head.append("Content-Length: ").append(std::to_string(request.raw.size())).append("\r\n\r\n");
  return head;
}

GatewayOutcome lost(http::IoOutcome io, const char* during) {
  return outcome_for_transport_failure(io.status == http::IoOutcome::timed_out, std::string(during) + ": " + io.describe());
}

}  // namespace

GatewayOutcome post_webhook_plain(http::PlainConnectionPool& pool, const GatewayRequest& request, const std::string& token,
                                  const ProgressSink& progress, std::chrono::milliseconds timeout) {
  http::PlainConnection connection = pool.take();
  before_sending(request, connection.is_open(), request.raw.size());
  if (!connection.is_open()) {
    auto fresh = http::PlainConnection::connect(pool.origin(), kConnectTimeout);
    if (!fresh) return outcome_for_transport_failure(false, fresh.error().message, /*never_sent=*/true);
    connection = std::move(*fresh);
  }
  if (auto sent = connection.send_all({request_head(pool.origin(), request, token), request.raw}, timeout); sent.status != http::IoOutcome::ok)
    return lost(sent, "sending the task");
  request_written(request, connection.socket());

  WebhookAnswer answer(request, progress);
  http::ResponseParser parser;
  bool head_seen = false;
  auto see_head = [&] {
    if (head_seen || !parser.head_complete()) return;
    head_seen = true;
    answer.on_head(parser.head().status, parser.head().content_type);
  };
  auto body = [&](const char* data, size_t size) {
    see_head();
    return answer.on_body(data, size);
  };
  char buffer[16 * 1024];
  while (!parser.done()) {
    auto received = connection.receive(buffer, sizeof buffer, timeout);
    if (received.status == http::IoOutcome::peer_closed) {
      parser.finish_at_close();
      break;
    }
    if (received.status != http::IoOutcome::ok) return lost(received, "reading the answer");
    if (!parser.feed(buffer, received.bytes, body)) break;
    see_head();
  }
  see_head();
  if (auto broke = answer.refused()) return *broke;
  if (!parser.done())
    return outcome_for_transport_failure(false, "the answer was cut short or broken: " +
                                                    (parser.error().empty() ? std::string("connection closed") : parser.error()));
  if (parser.reusable()) pool.give_back(std::move(connection));
  return answer.outcome(parser.head().retry_after);
}

}  // namespace rt::bridge
