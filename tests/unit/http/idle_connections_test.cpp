// http::IdleConnections waits for a request's body outside the workers, but not for more bodies
// at once than its buffer budget: past it a connection goes to a worker with its head alone.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roundtable/http/idle_connections.hpp"

namespace rt::http {
namespace {

using namespace std::chrono_literals;

class Parking : public ::testing::Test {
 protected:
  void TearDown() override {
    idle_.close_all();
    for (int fd : peers_) ::close(fd);
    std::lock_guard lock(mutex_);
    for (auto& c : ready_) close_connection(c.fd);
  }
  // Parks one end of a new socket pair holding `bytes` as already received; the other end is kept.
  void park(const std::string& bytes) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    peers_.push_back(fds[1]);
    idle_.park(ParkedConnection{fds[0], bytes, 0});
  }
  bool wait_ready(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return ready_.size() >= count; });
  }
  size_t ready_count() {
    std::lock_guard lock(mutex_);
    return ready_.size();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ParkedConnection> ready_;
  std::vector<int> peers_;
  IdleConnections idle_{[this](ParkedConnection c) {
    std::lock_guard lock(mutex_);
    ready_.push_back(std::move(c));
    changed_.notify_all();
  }};
};

const std::string kHead = "POST /webhook HTTP/1.1\r\nContent-Length: 1000\r\n\r\n";

TEST_F(Parking, ARequestGoesToTheWorkersOnceItsBodyIsIn) {
  idle_.start(ParkingLimits{60s, 10s, 4096, 64, 1000, 1 << 20});
  park(kHead + std::string(999, 'b'));
  park(kHead + std::string(1000, 'b'));
  ASSERT_TRUE(wait_ready(1));
  std::lock_guard lock(mutex_);
  ASSERT_EQ(ready_.size(), 1u) << "the one still missing a byte waits";
  EXPECT_EQ(ready_[0].read_ahead.size(), kHead.size() + 1000);
}

TEST_F(Parking, PastTheBufferBudgetHeadsGoToTheWorkersWithoutTheirBodies) {
  idle_.start(ParkingLimits{60s, 10s, 4096, 64, 1000, 1500});
  park(kHead + std::string(900, 'b'));
  park(kHead + std::string(700, 'b'));
  EXPECT_TRUE(wait_ready(1)) << "1,600 bytes waited for: one goes to a worker to be read there";
}

}  // namespace
}  // namespace rt::http
