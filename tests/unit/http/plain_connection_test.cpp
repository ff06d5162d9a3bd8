// The bridge's plain keep-alive connection: where an http:// URL points, and what it does over a
// real loopback socket when the peer reads slowly, stays silent or goes away.
#include "roundtable/http/plain_connection.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace rt::http {
namespace {

using namespace std::chrono_literals;

TEST(PlainOrigin, ReadsHostAndPortAndKeepsTheAuthorityForTheHostHeader) {
  auto origin = parse_plain_origin("http://127.0.0.1:18789");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->host, "127.0.0.1");
  EXPECT_EQ(origin->port, "18789");
  EXPECT_EQ(origin->host_header, "127.0.0.1:18789");

  auto named = parse_plain_origin("http://knight-gateway/ignored/path?q=1");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->host, "knight-gateway");
  EXPECT_EQ(named->port, "80");
  EXPECT_EQ(named->host_header, "knight-gateway");

  auto v6 = parse_plain_origin("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "8080");
  EXPECT_EQ(v6->host_header, "[::1]:8080");
}

TEST(PlainOrigin, RefusesWhatItCannotDial) {
  for (const char* url : {"https://127.0.0.1:443", "http://", "http://:80", "http://host:0", "http://host:65536", "http://host:8x",
                          "http://host:", "http://[::1", "http://[::1]x", "http://user@host:80", "ftp://host", "127.0.0.1:80"})
    EXPECT_FALSE(parse_plain_origin(url)) << url;
}

// A loopback listener the test drives by hand.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size), 0);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { ::close(fd_); }
  PlainOrigin origin() const { return *parse_plain_origin("http://127.0.0.1:" + std::to_string(port_)); }
  int accept() const { return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC); }
  void close() {
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(PlainConnection, SendsEveryPartInOrderToAPeerThatReadsSlowly) {
  Listener listener;
  auto connection = PlainConnection::connect(listener.origin(), 5s);
  ASSERT_TRUE(connection) << connection.error().message;
  int peer = listener.accept();
  ASSERT_GE(peer, 0);
  // Far more than the socket buffers hold, so the send has to wait for the reader.
  std::string head = "HEAD\r\n", body(8 << 20, 'b');
  body.back() = 'z';
  std::string got;
  std::thread reader([&] {
    char buffer[4096];
    for (ssize_t n; got.size() < head.size() + body.size() && (n = ::recv(peer, buffer, sizeof buffer, 0)) > 0;)
      got.append(buffer, static_cast<size_t>(n));
  });
  auto sent = connection->send_all({head, "", body}, 10s);
  reader.join();
  EXPECT_EQ(sent.status, IoOutcome::ok) << sent.describe();
  EXPECT_EQ(got.size(), head.size() + body.size());
  EXPECT_TRUE(got == head + body);
  ::close(peer);
}

TEST(PlainConnection, MoreThanFourPartsAreRefusedRatherThanCutShort) {
  Listener listener;
  auto connection = PlainConnection::connect(listener.origin(), 5s);
  ASSERT_TRUE(connection);
  auto sent = connection->send_all({"a", "b", "c", "d", "e"}, 5s);
  EXPECT_EQ(sent.status, IoOutcome::failed);
  EXPECT_EQ(sent.error, EINVAL);
}

TEST(PlainConnection, ReceivesWhatArrivedThenTheClose) {
  Listener listener;
  auto connection = PlainConnection::connect(listener.origin(), 5s);
  ASSERT_TRUE(connection);
  int peer = listener.accept();
  ASSERT_EQ(::send(peer, "answer", 6, 0), 6);
  ::close(peer);
  char buffer[64];
  auto first = connection->receive(buffer, sizeof buffer, 5s);
  ASSERT_EQ(first.status, IoOutcome::ok);
  EXPECT_EQ(std::string(buffer, first.bytes), "answer");
  EXPECT_EQ(connection->receive(buffer, sizeof buffer, 5s).status, IoOutcome::peer_closed);
}

TEST(PlainConnection, ASilentPeerTimesOut) {
  Listener listener;
  auto connection = PlainConnection::connect(listener.origin(), 5s);
  ASSERT_TRUE(connection);
  int peer = listener.accept();
  char buffer[64];
  EXPECT_EQ(connection->receive(buffer, sizeof buffer, 50ms).status, IoOutcome::timed_out);
  ::close(peer);
}

TEST(PlainConnection, AConnectionThePeerClosedIsNotReused) {
  Listener listener;
  PlainConnectionPool pool(listener.origin());
  auto connection = PlainConnection::connect(pool.origin(), 5s);
  ASSERT_TRUE(connection);
  int peer = listener.accept();
  EXPECT_TRUE(connection->still_usable());
  pool.give_back(std::move(*connection));
  PlainConnection idle = pool.take();
  ASSERT_TRUE(idle.is_open()) << "a live idle connection is handed out again";
  ::close(peer);
  pollfd closed{idle.socket(), POLLIN, 0};
  ASSERT_EQ(::poll(&closed, 1, 10000), 1) << "the peer's close never arrived";
  EXPECT_FALSE(idle.still_usable());
  pool.give_back(std::move(idle));
  EXPECT_FALSE(pool.take().is_open());
}

TEST(PlainConnection, ARefusedConnectionSaysWhere) {
  Listener listener;
  PlainOrigin origin = listener.origin();
  listener.close();
  auto connection = PlainConnection::connect(origin, 5s);
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message.find(origin.host_header), std::string::npos) << connection.error().message;
  EXPECT_NE(connection.error().message.find("refused"), std::string::npos) << connection.error().message;
}

}  // namespace
}  // namespace rt::http
