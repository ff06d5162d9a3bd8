#pragma once
// A keep-alive HTTP/1.1 connection over plain TCP, for the bridge's calls to its gateway: a
// request leaves in one sendmsg (head and body together) and an answer is read with as few
// system calls as it allows (docs/performance.md, change 21). https stays with httplib.
#include <chrono>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roundtable/common/result.hpp"

namespace rt::http {

// Where an http:// URL points. Anything after the authority (a path) is ignored, as httplib's
// client ignores it.
struct PlainOrigin {
  std::string host;         // a name or an address, IPv6 without its brackets
  std::string port;         // "80" when the URL names none
  std::string host_header;  // the URL's authority, for the Host header
};
// nullopt unless `url` is http://host[:port][/...] with a port from 1 to 65535.
std::optional<PlainOrigin> parse_plain_origin(std::string_view url);

struct IoOutcome {
  enum Status { ok, peer_closed, timed_out, failed } status = ok;
  size_t bytes = 0;  // received, for receive(); 0 with peer_closed
  int error = 0;     // errno, with failed
  std::string describe() const;
};

class PlainConnection {
 public:
  PlainConnection() = default;
  ~PlainConnection() { close(); }
  PlainConnection(PlainConnection&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  PlainConnection& operator=(PlainConnection&& other) noexcept;
  PlainConnection(const PlainConnection&) = delete;
  PlainConnection& operator=(const PlainConnection&) = delete;

  // A new non-blocking connection with TCP_NODELAY, trying each address of the host in turn.
  static Result<PlainConnection> connect(const PlainOrigin& origin, std::chrono::milliseconds timeout);

  bool is_open() const { return fd_ >= 0; }
  int socket() const { return fd_; }
  void close();
  // For a connection that sat idle: false when the peer has closed it, or sent something nobody
  // asked for; either way it must not carry a request.
  bool still_usable() const;
  // Writes all of `parts` (at most four), in order; each wait for room in the socket lasts up to `timeout`.
  IoOutcome send_all(std::initializer_list<std::string_view> parts, std::chrono::milliseconds timeout);
  // Reads what has arrived into `buffer`, waiting up to `timeout` when nothing has.
  IoOutcome receive(char* buffer, size_t size, std::chrono::milliseconds timeout);

 private:
  explicit PlainConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Idle keep-alive connections to one origin, one per caller at a time.
class PlainConnectionPool {
 public:
  explicit PlainConnectionPool(PlainOrigin origin) : origin_(std::move(origin)) {}
  const PlainOrigin& origin() const { return origin_; }
  // An idle connection that is still usable, or a closed one (connect it).
  PlainConnection take();
  // For a connection that may carry another request; one that is dropped instead is closed.
  void give_back(PlainConnection connection);

 private:
  PlainOrigin origin_;
  std::mutex mutex_;
  std::vector<PlainConnection> idle_;
};

}  // namespace rt::http
