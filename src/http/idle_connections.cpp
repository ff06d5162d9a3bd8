#include "roundtable/http/idle_connections.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace rt::http {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kReadPerWake = 64 * 1024;  // fairness between busy connections
constexpr char kTooLarge[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr char kTimedOut[] = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr char kBodyTooLarge[] = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr char kBadFraming[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr size_t kFramingDrain = 64 * 1024;  // read and dropped after a 400 before the close

}  // namespace

void close_connection(int fd) {
  if (fd < 0) return;
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

IdleConnections::IdleConnections(Ready on_ready, Refused on_refused) : on_ready_(std::move(on_ready)), on_refused_(std::move(on_refused)) {
  if (::pipe2(wake_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
}

IdleConnections::~IdleConnections() {
  close_all();
  if (thread_.joinable()) thread_.join();
  for (auto& entry : entries_) close_entry(entry);
  {
    std::lock_guard lock(mutex_);
    for (auto& c : incoming_) close_connection(c.fd);
    incoming_.clear();
  }
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void IdleConnections::start(ParkingLimits limits) {
  std::lock_guard lock(mutex_);
  if (closed_ || thread_.joinable()) return;
  limits_ = limits;
  thread_ = std::thread([this] { run(); });
}

void IdleConnections::park(ParkedConnection connection) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      incoming_.push_back(std::move(connection));
      parked_count_++;
      connection.fd = -1;
    }
  }
  if (connection.fd >= 0) close_connection(connection.fd);
  else wake();
}

void IdleConnections::close_all() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  wake();
}

void IdleConnections::wake() {
  char byte = 1;
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], &byte, 1);  // a full pipe already wakes the poller
}

void IdleConnections::close_entry(Entry& entry, const char* response) {
  if (!entry.open) return;
  if (response) [[maybe_unused]] auto n = ::send(entry.connection.fd, response, std::strlen(response), MSG_NOSIGNAL | MSG_DONTWAIT);
  close_connection(entry.connection.fd);
  entry.open = false;
  parked_count_--;
}

IdleConnections::Outcome IdleConnections::classify(Entry& entry) {
  switch (entry.head.state()) {
    case HeaderScanner::State::complete:
      return classify_body(entry);
    case HeaderScanner::State::too_large:
      close_entry(entry, kTooLarge);
      return Outcome::closed;
    case HeaderScanner::State::incomplete:
      break;
  }
  return Outcome::waiting;
}

// The head is in: ready once the body is too, so that no worker waits on a slow body.
IdleConnections::Outcome IdleConnections::classify_body(Entry& entry) {
  if (entry.discard > 0) return Outcome::waiting;  // refused: its body is being dropped
  auto& buffer = entry.connection.read_ahead;
  const size_t head_bytes = entry.head.head_bytes();
  if (!entry.framing) {
    entry.framing = framing_of(std::string_view(buffer).substr(0, head_bytes), limits_.max_body_bytes);
    if (entry.framing->kind == Framing::Kind::none) {
      // No framing means no body (RFC 9112 §6.3); httplib would read one to the end instead.
      buffer.insert(head_bytes - 2, "Content-Length: 0\r\n");
      return Outcome::ready;
    }
    if (entry.framing->kind == Framing::Kind::chunked) entry.chunked.emplace(framed_body_cap(limits_.max_body_bytes));
  }
  const bool crowded = buffered_ > limits_.max_buffered_bytes;
  switch (entry.framing->kind) {
    case Framing::Kind::none:
      return Outcome::ready;
    case Framing::Kind::length:
      return crowded || buffer.size() >= head_bytes + entry.framing->length ? Outcome::ready : Outcome::waiting;
    case Framing::Kind::too_large:
      return refuse_body(entry);
    case Framing::Kind::invalid:
      return refuse_framing(entry);
    case Framing::Kind::chunked:
      break;
  }
  const size_t start = head_bytes + entry.body_fed;
  if (buffer.size() > start) {
    entry.chunked->feed(std::string_view(buffer).substr(start));
    entry.body_fed = buffer.size() - head_bytes;
  }
  switch (entry.chunked->state()) {
    case ChunkedBody::State::complete:
      return Outcome::ready;
    case ChunkedBody::State::too_large:
      return refuse_body(entry);
    case ChunkedBody::State::invalid:
      return refuse_framing(entry);
    case ChunkedBody::State::incomplete:
      break;
  }
  return crowded ? Outcome::ready : Outcome::waiting;
}

void IdleConnections::refused(const Entry& entry, int status) {
  if (on_refused_) on_refused_(std::string_view(entry.connection.read_ahead).substr(0, entry.head.head_bytes()), status);
}

// 400, and nothing after framing read two ways is taken as a request: the connection ends.
IdleConnections::Outcome IdleConnections::refuse_framing(Entry& entry) {
  refused(entry, 400);
  return answer_and_linger(entry, kBadFraming, kFramingDrain);
}

IdleConnections::Outcome IdleConnections::refuse_body(Entry& entry) {
  refused(entry, 413);
  return answer_and_linger(entry, kBodyTooLarge, framed_body_cap(limits_.max_body_bytes));
}

// The answer at once, then what the client still sends is read and dropped (up to `discard`
// bytes, within the request timeout) before the close: closed with unread bytes, the socket
// would be reset, and a reset can take the answer with it before the client reads it.
IdleConnections::Outcome IdleConnections::answer_and_linger(Entry& entry, std::string_view answer, size_t discard) {
  [[maybe_unused]] auto n = ::send(entry.connection.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(entry.connection.fd, SHUT_WR);
  entry.discard = discard;
  entry.connection.read_ahead.clear();
  return discard_body(entry);
}

IdleConnections::Outcome IdleConnections::discard_body(Entry& entry) {
  char scratch[kReadChunk];
  for (size_t budget = kReadPerWake; budget > 0 && entry.discard > 0;) {
    ssize_t n = ::recv(entry.connection.fd, scratch, std::min(sizeof(scratch), entry.discard), MSG_DONTWAIT);
    if (n > 0) {
      entry.discard -= std::min(entry.discard, static_cast<size_t>(n));
      budget -= std::min(budget, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Outcome::waiting;
    entry.discard = 0;  // the client closed, or reset: done
  }
  if (entry.discard > 0) return Outcome::waiting;  // more next time the socket is readable
  close_entry(entry);
  return Outcome::closed;
}

IdleConnections::Outcome IdleConnections::receive(Entry& entry) {
  if (entry.discard > 0) return discard_body(entry);
  auto& buffer = entry.connection.read_ahead;
  bool was_empty = buffer.empty();
  size_t budget = kReadPerWake;
  while (budget > 0) {
    if (entry.discard > 0) return discard_body(entry);
    if (entry.head.state() == HeaderScanner::State::complete) {
      if (auto outcome = classify_body(entry); outcome != Outcome::waiting) return outcome;
    } else if (entry.head.state() == HeaderScanner::State::too_large) {
      break;
    }
    size_t start = buffer.size();
    buffer.resize(start + kReadChunk);
    ssize_t n = ::recv(entry.connection.fd, buffer.data() + start, kReadChunk, MSG_DONTWAIT);
    buffer.resize(start + std::max<ssize_t>(n, 0));
    if (n > 0) {
      if (entry.head.state() == HeaderScanner::State::incomplete) entry.head.feed(std::string_view(buffer).substr(start));
      budget -= std::min(budget, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    close_entry(entry);  // closed by the client, or reset
    return Outcome::closed;
  }
  // The head timeout runs from its first byte; until then the idle timeout applies.
  if (was_empty && !buffer.empty()) entry.deadline = Clock::now() + limits_.header_timeout;
  return classify(entry);
}

void IdleConnections::admit(std::vector<ParkedConnection> incoming) {
  auto now = Clock::now();
  for (auto& connection : incoming) {
    Entry entry{std::move(connection), HeaderScanner(limits_.max_header_bytes), now + limits_.idle_timeout, true, std::nullopt, std::nullopt, 0, 0};
    if (!entry.connection.read_ahead.empty()) {
      entry.head.feed(entry.connection.read_ahead);
      entry.deadline = now + limits_.header_timeout;
    }
    entries_.push_back(std::move(entry));
  }
}

void IdleConnections::run() {
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign(1, pollfd{wake_pipe_[0], POLLIN, 0});
    auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);
    buffered_ = 0;
    for (auto& entry : entries_) {
      fds.push_back(pollfd{entry.connection.fd, POLLIN, 0});
      next = std::min(next, entry.deadline);
      buffered_ += entry.connection.read_ahead.size();
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait_ms, 0)));

    if (fds[0].revents) {
      char drain[256];
      while (::read(wake_pipe_[0], drain, sizeof(drain)) > 0) {
      }
    }
    std::vector<ParkedConnection> incoming;
    bool closing;
    {
      std::lock_guard lock(mutex_);
      closing = closed_;
      incoming.swap(incoming_);
    }
    std::vector<ParkedConnection> ready;
    auto hand_back = [&](Entry& entry) {
      ready.push_back(std::move(entry.connection));
      entry.connection.fd = -1;
      entry.open = false;
      parked_count_--;
    };
    // Past the buffer budget, requests waiting for their bodies go to the workers too.
    const bool crowded = buffered_ > limits_.max_buffered_bytes;
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
      Entry& entry = entries_[i];
      Outcome outcome = fds[i + 1].revents ? receive(entry) : crowded && entry.framing ? classify_body(entry) : Outcome::waiting;
      if (outcome == Outcome::ready) hand_back(entry);
    }
    size_t first_new = entries_.size();
    admit(std::move(incoming));
    for (size_t i = first_new; i < entries_.size(); ++i)
      if (classify(entries_[i]) == Outcome::ready) hand_back(entries_[i]);
    now = Clock::now();
    for (auto& entry : entries_) {
      if (!entry.open) continue;
      if (closing) close_entry(entry);
      else if (entry.deadline <= now) close_entry(entry, entry.connection.read_ahead.empty() ? nullptr : kTimedOut);
    }
    std::erase_if(entries_, [](const Entry& e) { return !e.open; });
    // Too many idle: the oldest go first (entries_ keeps arrival order).
    size_t excess = entries_.size() > limits_.max_parked ? entries_.size() - limits_.max_parked : 0;
    for (size_t i = 0; i < excess; ++i) close_entry(entries_[i]);
    if (excess) entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(excess));
    for (auto& connection : ready) {
      if (closing) close_connection(connection.fd);
      else on_ready_(std::move(connection));
    }
    if (closing) return;
  }
}

}  // namespace rt::http
