// The NatsServer and RedisServer fixtures, and BridgeProcess's health port, are servers of our own: a port that another process took between
// free_port() and nats-server's bind must not pass for ours (a test would then talk to another
// test's server, with its auth or TLS, until that test ends and takes the server away).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include <gtest/gtest.h>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/servers.hpp"

namespace rt::testing {
namespace {

// A listening socket on a free loopback port, closed when it goes out of scope.
struct Squatter {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  explicit Squatter(int wanted = 0) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(wanted));
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 8) != 0) throw std::runtime_error("cannot listen");
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Squatter() { ::close(fd); }
};

TEST(NatsServerFixture, APortAnotherProcessListensOnIsNotTakenForOurServer) {
  Squatter squatter;
  try {
    NatsServer server("", squatter.port);
    FAIL() << "the fixture took someone else's listener on " << squatter.port << " for its nats-server";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("address already in use"), std::string::npos) << error.what();
  }
}

TEST(NatsServerFixture, RestartComesUpOnTheSamePort) {
  NatsServer server;
  const int port = server.port();
  server.restart();
  EXPECT_EQ(server.port(), port);
  EXPECT_NE(server.output().find("Server is ready"), std::string::npos);
}

TEST(RedisServerFixture, APortAnotherProcessListensOnIsNotTakenForOurServer) {
  Squatter squatter;
  try {
    RedisServer server(squatter.port);
    FAIL() << "the fixture took someone else's listener on " << squatter.port << " for its redis-server";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("Address already in use"), std::string::npos) << error.what();
  }
}

TEST(RedisServerFixture, RestartComesUpOnTheSamePort) {
  RedisServer server;
  const int port = server.port();
  server.stop();
  server.start();
  EXPECT_EQ(server.port(), port);
}

TEST(BridgeProcessFixture, AHealthPortTakenBeforeTheBridgeBindsIsReplaced) {
  NatsServer nats;
  FakeGateway gateway;
  BridgeProcess bridge(nats.url(), gateway.url());
  Squatter squatter(bridge.health_port());
  bridge.start();
  EXPECT_NE(bridge.health_port(), squatter.port);
  EXPECT_TRUE(bridge.wait_ready()) << bridge.output();
}

}  // namespace
}  // namespace rt::testing
