#include "roundtable/bridge/plain_exchange.hpp"

#include "roundtable/bridge/answer_wait.hpp"

namespace rt::bridge {
namespace {

constexpr std::chrono::seconds kConnectTimeout{5};  // as the httplib clients' (tune_client)

std::string request_head(const http::PlainOrigin& origin, const PlainCall& call) {
  std::string head;
  head.reserve(512);
  head.append("POST ").append(call.path).append(" HTTP/1.1\r\nHost: ").append(origin.host_header);
  head.append("\r\nUser-Agent: roundtable-nats-bridge\r\n");
  if (call.headers)
    call.headers([&head](std::string_view name, std::string_view value) { head.append(name).append(": ").append(value).append("\r\n"); });
  head.append("Content-Length: ").append(std::to_string(call.body.size())).append("\r\n\r\n");
  return head;
}

PlainReply lost(http::IoOutcome io, const char* during) {
  return {{}, outcome_for_transport_failure(io.status == http::IoOutcome::timed_out, std::string(during) + ": " + io.describe())};
}

}  // namespace

PlainReply exchange_plain(http::PlainConnectionPool& pool, const GatewayRequest& request, const PlainCall& call,
                          std::chrono::milliseconds timeout, const std::function<void(const http::ResponseHead&)>& on_head,
                          const http::ResponseParser::BodySink& on_body) {
  http::PlainConnection connection = pool.take();
  before_sending(request, connection.is_open(), call.body.size());
  if (!connection.is_open()) {
    auto fresh = http::PlainConnection::connect(pool.origin(), kConnectTimeout);
    if (!fresh) return {{}, outcome_for_transport_failure(false, fresh.error().message, /*never_sent=*/true)};
    connection = std::move(*fresh);
  }
  if (auto sent = connection.send_all({request_head(pool.origin(), call), call.body}, timeout); sent.status != http::IoOutcome::ok)
    return lost(sent, "sending the request");
  if (call.release_once_sent) std::string().swap(*call.release_once_sent);
  request_written(request, connection.socket());

  http::ResponseParser parser;
  bool head_seen = false, stopped = false;
  auto see_head = [&] {
    if (head_seen || !parser.head_complete()) return;
    head_seen = true;
    if (on_head) on_head(parser.head());
  };
  auto body = [&](const char* data, size_t size) {
    see_head();
    stopped = on_body && !on_body(data, size);
    return !stopped;
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
  if (stopped) return {parser.head(), std::nullopt, true};
  if (!parser.done())
    return {{}, outcome_for_transport_failure(false, "the answer was cut short or broken: " +
                                                         (parser.error().empty() ? std::string("connection closed") : parser.error()))};
  if (parser.reusable()) pool.give_back(std::move(connection));
  return {parser.head(), std::nullopt};
}

}  // namespace rt::bridge
