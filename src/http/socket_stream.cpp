#include "roundtable/http/socket_stream.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rt::http {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadChunk = 16 * 1024;

void address_of(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  char service[NI_MAXSERV] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), service, sizeof(service),
                  NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(service);
  }
}

}  // namespace

bool wait_socket(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd pfd{fd, events, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(std::clamp<long long>(left, 0, 60'000)));
    if (n > 0) return true;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR) return false;
    if (n == 0 && left <= 0) return false;
  }
}

SocketStream::SocketStream(int fd, std::string read_ahead, StreamLimits limits)
    : fd_(fd), buffer_(std::move(read_ahead)), limits_(limits), head_(limits.max_header_bytes) {
  start_request();
}

void SocketStream::start_request() {
  head_.reset();
  body_bytes_ = 0;
  read_deadline_ = Clock::now() + limits_.read_timeout;
}

std::string SocketStream::take_read_ahead() {
  std::string rest = buffer_.substr(offset_);
  buffer_.clear();
  offset_ = 0;
  return rest;
}

bool SocketStream::is_readable() const {
  return offset_ < buffer_.size() || wait_socket(fd_, POLLIN, read_deadline_);
}

bool SocketStream::is_writable() const {
  return wait_socket(fd_, POLLOUT, Clock::now() + limits_.write_timeout);
}

bool SocketStream::fill() {
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  size_t start = buffer_.size();
  buffer_.resize(start + kReadChunk);
  for (;;) {
    ssize_t n = ::recv(fd_, buffer_.data() + start, buffer_.size() - start, 0);
    if (n > 0) {
      buffer_.resize(start + static_cast<size_t>(n));
      return true;
    }
    buffer_.resize(start);
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_socket(fd_, POLLIN, read_deadline_)) return false;
    buffer_.resize(start + kReadChunk);
  }
}

ssize_t SocketStream::hand_out(char* ptr, size_t size) {
  size_t n = std::min(size, buffer_.size() - offset_);
  if (head_.state() == HeaderScanner::State::incomplete) {
    if (head_.feed(std::string_view(buffer_).substr(offset_, n)) == HeaderScanner::State::too_large) {
      failed_ = true;
      return -1;
    }
  } else if ((body_bytes_ += n) > limits_.max_body_bytes) {
    failed_ = true;
    return -1;
  }
  std::memcpy(ptr, buffer_.data() + offset_, n);
  offset_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (failed_) return -1;
  if (size == 0) return 0;
  if (offset_ == buffer_.size() && !fill()) {
    failed_ = true;
    return -1;
  }
  return hand_out(ptr, size);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  size_t done = 0;
  auto deadline = Clock::now() + limits_.write_timeout;
  while (done < size) {
    ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      deadline = Clock::now() + limits_.write_timeout;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_socket(fd_, POLLOUT, deadline)) continue;
    return -1;
  }
  return static_cast<ssize_t>(done);
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
}

}  // namespace rt::http
