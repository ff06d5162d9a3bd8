// rt::http::Server's limits: the request-head cap (HeaderScanner, SocketStream), idle
// connections that never hold a worker, and stop() at any moment.
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fixtures/raw_client.hpp"
#include "roundtable/http/header_scanner.hpp"
#include "roundtable/http/server.hpp"
#include "roundtable/http/socket_stream.hpp"

namespace rt::http {
namespace {

using namespace std::chrono_literals;
using State = HeaderScanner::State;
using rt::testing::RawConnection;

TEST(HeaderScanner, FindsTheEndOfTheHeadAcrossReads) {
  HeaderScanner head(1024);
  EXPECT_EQ(head.feed("GET / HTTP/1.1\r\nHost: x\r"), State::incomplete);
  EXPECT_EQ(head.feed("\n\r"), State::incomplete);
  EXPECT_EQ(head.feed("\nbody bytes"), State::complete);
  EXPECT_EQ(head.head_bytes(), std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n").size());
}

TEST(HeaderScanner, LoneLineFeedsAndCarriageReturnsDoNotEndTheHead) {
  HeaderScanner head(1024);
  EXPECT_EQ(head.feed("GET / HTTP/1.1\n\nA: b\r\n\r\r\n"), State::incomplete);
  EXPECT_EQ(head.feed("\r\n"), State::complete);
}

TEST(HeaderScanner, AHeadPastTheCapIsTooLargeWhateverTheChunking) {
  HeaderScanner head(64);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(head.feed("X-A: 12345\r\n"), State::incomplete) << i;  // 60 bytes
  EXPECT_EQ(head.feed("X-A: 12345\r\n"), State::too_large);
  EXPECT_EQ(head.feed("\r\n"), State::too_large);
  head.reset();
  EXPECT_EQ(head.feed("GET / HTTP/1.1\r\n\r\n"), State::complete);
}

TEST(HeaderScanner, AHeadOfExactlyTheCapIsAccepted) {
  std::string text = "GET / HTTP/1.1\r\nX: " + std::string(10, 'a') + "\r\n\r\n";
  HeaderScanner head(text.size());
  EXPECT_EQ(head.feed(text), State::complete);
}

class SocketPair : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  std::string read_all(SocketStream& stream, size_t limit) {
    std::string out;
    char byte;
    while (out.size() < limit && stream.read(&byte, 1) == 1) out += byte;
    return out;
  }
  int fds_[2];
};

TEST_F(SocketPair, StreamServesTheReadAheadBytesThenTheSocket) {
  SocketStream stream(fds_[0], "GET / HTTP/1.1\r\n\r\nab", StreamLimits{1s, 1s, 1024});
  ASSERT_EQ(::write(fds_[1], "cd", 2), 2);
  EXPECT_EQ(read_all(stream, 22), "GET / HTTP/1.1\r\n\r\nabcd");
  EXPECT_FALSE(stream.failed());
}

TEST_F(SocketPair, StreamRefusesAHeadPastTheCapAndStaysFailed) {
  std::string head = "GET / HTTP/1.1\r\n";
  while (head.size() < 4096) head += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  SocketStream stream(fds_[0], head, StreamLimits{1s, 1s, 1024});
  std::string got = read_all(stream, head.size());
  EXPECT_LT(got.size(), 1024u);
  EXPECT_TRUE(stream.failed());
  char byte;
  EXPECT_EQ(stream.read(&byte, 1), -1);
}

TEST_F(SocketPair, StreamCapsEachRequestsHeadNotTheBody) {
  std::string body(4096, 'b');
  SocketStream stream(fds_[0], "POST / HTTP/1.1\r\n\r\n" + body, StreamLimits{1s, 1s, 64});
  EXPECT_EQ(read_all(stream, 19 + body.size()).size(), 19 + body.size());
  EXPECT_FALSE(stream.failed());
  stream.start_request();
  ASSERT_EQ(::write(fds_[1], std::string(100, 'h').data(), 100), 100);
  EXPECT_EQ(read_all(stream, 100).size(), 63u);
  EXPECT_TRUE(stream.failed());
}

TEST_F(SocketPair, StreamCapsEachRequestsBodyFromItsHead) {
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  SocketStream stream(fds_[0], "", StreamLimits{1s, 1s, 1024, 100});
  ASSERT_EQ(::write(fds_[1], head.data(), head.size()), static_cast<ssize_t>(head.size()));
  EXPECT_EQ(read_all(stream, head.size()).size(), head.size());
  std::string body(4096, 'b');
  ASSERT_EQ(::write(fds_[1], body.data(), body.size()), static_cast<ssize_t>(body.size()));
  EXPECT_LE(read_all(stream, body.size()).size(), 100u);
  EXPECT_TRUE(stream.failed());
  stream.start_request();  // a later request would start from zero, but this connection is spent
  EXPECT_TRUE(stream.failed());
}

TEST_F(SocketPair, StreamReadFailsWhenNothingArrivesBeforeTheDeadline) {
  SocketStream stream(fds_[0], "", StreamLimits{50ms, 1s, 1024});
  char byte;
  EXPECT_EQ(stream.read(&byte, 1), -1);
  EXPECT_TRUE(stream.failed());
}

TEST_F(SocketPair, StreamKeepsUnreadBytesForTheNextRequest) {
  SocketStream stream(fds_[0], "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", StreamLimits{1s, 1s, 1024});
  EXPECT_EQ(read_all(stream, 19), "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(stream.take_read_ahead(), "GET /b HTTP/1.1\r\n\r\n");
}

// A real server on loopback, served on its own thread.
class LimitedServer : public ::testing::Test {
 protected:
  using AnswerHook = std::function<void(const httplib::Request&, const httplib::Response&)>;
  void start(ServerLimits limits = {}, AnswerHook on_answer = nullptr) {
    server_ = std::make_unique<Server>(limits);
    if (on_answer) server_->on_answer(std::move(on_answer));
    server_->set_payload_max_length(1024);
    server_->set_keep_alive_timeout(60);
    server_->Get("/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });
    server_->Get("/throws", [](const httplib::Request&, httplib::Response&) { throw std::runtime_error("the handler broke"); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    served_ = std::async(std::launch::async, [this] { return server_->listen_after_bind(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (served_.valid()) served_.wait();
  }
  // Waits for listen_after_bind to return: a deadline for the test, not a speed threshold.
  bool stopped_within(std::chrono::milliseconds deadline) { return served_.wait_for(deadline) == std::future_status::ready; }

  std::unique_ptr<Server> server_;
  std::future<bool> served_;
  int port_ = 0;
};

TEST_F(LimitedServer, StopClosesIdleKeepAliveAndSilentConnectionsAtOnce) {
  start();
  RawConnection keep_alive(port_);
  ASSERT_EQ(keep_alive.get("/ping"), 200);
  RawConnection silent(port_);
  ASSERT_TRUE(silent.valid());
  server_->stop();
  ASSERT_TRUE(stopped_within(10s)) << "the 60 s keep-alive held the server";
  EXPECT_TRUE(served_.get());
  EXPECT_TRUE(keep_alive.closed_by_peer());
  EXPECT_TRUE(silent.closed_by_peer());
}

// A handler that throws answers 500 and names the exception in a log line; the server serves on.
TEST_F(LimitedServer, AHandlerThatThrowsAnswers500AndSaysWhyInTheLog) {
  start();
  ::testing::internal::CaptureStderr();
  RawConnection client(port_);
  const int status = client.get("/throws");
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status, 500);
  EXPECT_NE(log.find(R"("event":"http.handler_exception")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("error":"the handler broke")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("path":"/throws")"), std::string::npos) << log;
  RawConnection probe(port_);
  EXPECT_EQ(probe.get("/ping"), 200);
}

// What on_answer records is there by the time the client has the answer: routed, unrouted and
// refused answers alike (the gateway counts requests there for its /metrics).
TEST_F(LimitedServer, OnAnswerSeesEveryAnswerBeforeTheClientDoes) {
  std::mutex mutex;
  std::vector<int> seen;
  auto recorded = [&] {
    std::lock_guard lock(mutex);
    return seen;
  };
  start({}, [&](const httplib::Request&, const httplib::Response& res) {
    std::lock_guard lock(mutex);
    seen.push_back(res.status);
  });
  RawConnection routed(port_);
  ASSERT_EQ(routed.get("/ping"), 200);
  EXPECT_EQ(recorded(), std::vector<int>{200});
  RawConnection unrouted(port_);
  ASSERT_EQ(unrouted.get("/nowhere"), 404);
  EXPECT_EQ(recorded(), (std::vector<int>{200, 404}));
  RawConnection too_large(port_);
  ASSERT_TRUE(too_large.send("POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
  ASSERT_EQ(too_large.read_status(), 413);
  EXPECT_EQ(recorded(), (std::vector<int>{200, 404, 413}));
}

TEST_F(LimitedServer, StopBeforeTheListenLoopStartedIsNotLost) {
  server_ = std::make_unique<Server>();
  ASSERT_GT(server_->bind_to_any_port("127.0.0.1"), 0);
  server_->stop();
  served_ = std::async(std::launch::async, [this] { return server_->listen_after_bind(); });
  EXPECT_TRUE(stopped_within(10s));
}

TEST_F(LimitedServer, IdleConnectionsBeyondTheWorkersDoNotBlockRequests) {
  start(ServerLimits{.workers = 2});
  std::vector<RawConnection> idle;
  for (int i = 0; i < 20; ++i) {
    idle.emplace_back(port_);
    if (i % 2 == 0) {
      ASSERT_EQ(idle.back().get("/ping"), 200);
    }
  }
  RawConnection probe(port_, 10s);
  EXPECT_EQ(probe.get("/ping"), 200);
}

TEST_F(LimitedServer, BeyondTheIdleCapTheLongestIdleConnectionIsClosed) {
  start(ServerLimits{.max_idle_connections = 2});
  RawConnection oldest(port_);  // connections are accepted, and parked, in the order they connect
  ASSERT_TRUE(oldest.valid());
  RawConnection second(port_);
  RawConnection third(port_);
  EXPECT_TRUE(oldest.closed_by_peer());
  EXPECT_EQ(third.get("/ping"), 200);
  EXPECT_EQ(second.get("/ping"), 200);
}

TEST_F(LimitedServer, AnOversizedHeadIsRefusedAndTheServerGoesOn) {
  start(ServerLimits{.max_header_bytes = 16 * 1024});
  RawConnection flood(port_);
  int status = flood.send_endless_head(8 << 20);
  EXPECT_TRUE(status == 0 || status == 431 || status == 400) << status;
  EXPECT_TRUE(flood.closed_by_peer());
  RawConnection probe(port_);
  EXPECT_EQ(probe.get("/ping"), 200);
}

TEST_F(LimitedServer, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  start();
  RawConnection client(port_);
  ASSERT_TRUE(client.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string body;
  EXPECT_EQ(client.read_status(&body), 200);
  EXPECT_EQ(body, "pong");
  EXPECT_EQ(client.read_status(), 404);
  EXPECT_EQ(client.get("/ping"), 200);
  httplib::Client http("127.0.0.1", port_);
  http.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = http.Get("/ping");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "pong");
  }
}

TEST_F(LimitedServer, AHeadThatNeverEndsIsClosedAfterTheHeadTimeout) {
  start(ServerLimits{.header_timeout = 200ms});
  RawConnection slow(port_, 20s);
  ASSERT_TRUE(slow.send("GET /ping HTTP/1.1\r\nHost: x\r\n"));
  int status = slow.read_status();
  EXPECT_TRUE(status == 408 || status == 0) << status;
  EXPECT_TRUE(slow.closed_by_peer());
}

TEST_F(LimitedServer, RequestsInProgressFinishWithConnectionCloseOnStop) {
  server_ = std::make_unique<Server>();
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  server_->Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    entered.set_value();
    released.wait();
    res.set_content("done", "text/plain");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  served_ = std::async(std::launch::async, [this] { return server_->listen_after_bind(); });
  httplib::Client http("127.0.0.1", port_);
  auto answer = std::async(std::launch::async, [&] { return http.Get("/slow"); });
  entered.get_future().wait();
  server_->stop();
  release.set_value();
  auto res = answer.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "done");
  EXPECT_EQ(res->get_header_value("Connection"), "close");
  EXPECT_TRUE(stopped_within(10s));
}

}  // namespace
}  // namespace rt::http
