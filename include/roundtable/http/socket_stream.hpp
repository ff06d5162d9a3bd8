#pragma once
// httplib::Stream over a non-blocking socket: first the bytes already read ahead (the request
// head the idle-connection poller collected), then the socket, with a deadline for the whole
// request's reads, a timeout per write and the request-head cap enforced again on what it hands out.
#include <chrono>
#include <string>

#include <httplib.h>

#include "roundtable/http/header_scanner.hpp"
#include "roundtable/http/request_framing.hpp"

namespace rt::http {

struct StreamLimits {
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};   // all reads of one request
  std::chrono::milliseconds write_timeout{std::chrono::seconds(5)};  // each write
  size_t max_header_bytes = 64 * 1024;
  // Bytes of body (chunk framing included) one request may hand out: httplib caps only a body
  // with a Content-Length, and would keep a chunked one, or one read to the end, whole in memory.
  size_t max_body_bytes = framed_body_cap(1 << 20);
};

class SocketStream final : public httplib::Stream {
 public:
  SocketStream(int fd, std::string read_ahead, StreamLimits limits);

  // Called before each request on the connection: new read deadline, head and body caps from zero.
  void start_request();
  // True once a read failed (cap, deadline, reset): the connection must not be reused.
  bool failed() const { return failed_; }
  // Bytes read from the socket but not consumed (a pipelined next request).
  std::string take_read_ahead();

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  bool fill();
  ssize_t hand_out(char* ptr, size_t size);

  int fd_;
  std::string buffer_;
  size_t offset_ = 0;
  StreamLimits limits_;
  HeaderScanner head_;
  size_t body_bytes_ = 0;
  std::chrono::steady_clock::time_point read_deadline_;
  bool failed_ = false;
};

// Waits for `events` on fd until the deadline; true when ready.
bool wait_socket(int fd, short events, std::chrono::steady_clock::time_point deadline);

}  // namespace rt::http
