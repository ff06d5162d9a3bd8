#include "roundtable/http/plain_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace rt::http {
namespace {

constexpr std::string_view kScheme = "http://";

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  int value = 0;
  for (char c : port) value = value * 10 + (c - '0');
  return value >= 1 && value <= 65535;
}

// POLLIN or POLLOUT within `timeout`: true when ready (or in error, which the next call reports).
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd ready{fd, events, 0};
  int count = 0;
  do {
    count = ::poll(&ready, 1, static_cast<int>(timeout.count()));
  } while (count < 0 && errno == EINTR);
  return count > 0;
}

IoOutcome failure(int error) { return {IoOutcome::failed, 0, error}; }

Result<int> connect_one(const addrinfo& address, std::chrono::milliseconds timeout) {
  int fd = ::socket(address.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(ErrorCode::io_error, std::strerror(errno));
  int error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      socklen_t size = sizeof error;
      error = wait_for(fd, POLLOUT, timeout) ? (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 ? error : errno) : ETIMEDOUT;
    }
  }
  if (error != 0) {
    ::close(fd);
    return make_error(ErrorCode::unavailable, std::strerror(error));
  }
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

}  // namespace

std::optional<PlainOrigin> parse_plain_origin(std::string_view url) {
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  PlainOrigin origin{"", "80", std::string(authority)};
  std::string_view rest;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    origin.host = authority.substr(1, close - 1);
    rest = authority.substr(close + 1);
  } else {
    size_t colon = authority.find(':');
    origin.host = authority.substr(0, colon);
    rest = colon == std::string_view::npos ? "" : authority.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return std::nullopt;
    origin.port = rest.substr(1);
  }
  if (origin.host.empty() || origin.host.find('@') != std::string::npos || !valid_port(origin.port)) return std::nullopt;
  return origin;
}

std::string IoOutcome::describe() const {
  switch (status) {
    case ok:
      return "ok";
    case peer_closed:
      return "the connection was closed by the peer";
    case timed_out:
      return "timed out";
    case failed:
      return std::strerror(error);
  }
  return "unknown";
}

PlainConnection& PlainConnection::operator=(PlainConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void PlainConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<PlainConnection> PlainConnection::connect(const PlainOrigin& origin, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int code = ::getaddrinfo(origin.host.c_str(), origin.port.c_str(), &hints, &found); code != 0)
    return make_error(ErrorCode::unavailable, "cannot resolve " + origin.host + ": " + ::gai_strerror(code));
  std::string why = "no address";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    auto fd = connect_one(*address, timeout);
    if (fd) {
      ::freeaddrinfo(found);
      return PlainConnection(*fd);
    }
    why = fd.error().message;
  }
  ::freeaddrinfo(found);
  return make_error(ErrorCode::unavailable, "cannot connect to " + origin.host_header + ": " + why);
}

bool PlainConnection::still_usable() const {
  pollfd idle{fd_, POLLIN, 0};
  return fd_ >= 0 && ::poll(&idle, 1, 0) == 0;
}

IoOutcome PlainConnection::send_all(std::initializer_list<std::string_view> parts, std::chrono::milliseconds timeout) {
  std::array<iovec, 4> vectors{};
  if (parts.size() > vectors.size()) return failure(EINVAL);
  size_t count = 0;
  for (std::string_view part : parts)
    if (!part.empty()) vectors[count++] = {const_cast<char*>(part.data()), part.size()};
  iovec* next = vectors.data();
  while (count > 0) {
    msghdr message{};
    message.msg_iov = next;
    message.msg_iovlen = count;
    ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return failure(errno);
      if (!wait_for(fd_, POLLOUT, timeout)) return {IoOutcome::timed_out};
      continue;
    }
    for (auto left = static_cast<size_t>(sent); left > 0;) {  // no part is empty: each step takes a byte or more
      size_t taken = std::min(left, next->iov_len);
      next->iov_base = static_cast<char*>(next->iov_base) + taken;
      next->iov_len -= taken;
      left -= taken;
      if (next->iov_len == 0) {
        ++next;
        --count;
      }
    }
  }
  return {};
}

IoOutcome PlainConnection::receive(char* buffer, size_t size, std::chrono::milliseconds timeout) {
  for (;;) {
    ssize_t received = ::recv(fd_, buffer, size, 0);
    if (received > 0) return {IoOutcome::ok, static_cast<size_t>(received)};
    if (received == 0) return {IoOutcome::peer_closed};
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return failure(errno);
    if (!wait_for(fd_, POLLIN, timeout)) return {IoOutcome::timed_out};
  }
}

PlainConnection PlainConnectionPool::take() {
  for (;;) {
    PlainConnection connection;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) return connection;
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
    if (connection.still_usable()) return connection;
  }
}

void PlainConnectionPool::give_back(PlainConnection connection) {
  if (!connection.is_open()) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace rt::http
