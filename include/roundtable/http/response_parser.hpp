#pragma once
// One HTTP/1.1 response read from bytes as they arrive, in pieces of any size: the status line
// and head (capped), then the body by Content-Length, chunked transfer coding, or up to the
// connection's close. The body goes to a sink as it is decoded and is never held here. Bytes from
// a peer never throw, recurse or grow memory past the head cap: a broken response is an error.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rt::http {

// What the bridge reads of a response's head. Header names are matched without regard to case;
// values are trimmed of surrounding spaces and tabs.
struct ResponseHead {
  int status = 0;            // 200..599 (1xx interim responses are skipped)
  std::string content_type;  // "" when absent
  std::string retry_after;   // "" when absent
  bool keep_alive = true;    // false: "Connection: close", or HTTP/1.0 without "Connection: keep-alive"
};

struct ResponseLimits {
  size_t max_head_bytes = 64 * 1024;  // status line and headers together, per head
  size_t max_headers = 100;
};

class ResponseParser {
 public:
  // Body bytes, decoded (no chunk framing). Returning false stops the parse (the caller's own
  // cap was reached): feed() then returns false and error() is empty.
  using BodySink = std::function<bool(const char* data, size_t size)>;

  explicit ResponseParser(ResponseLimits limits = {});

  // Consumes `data`. False when the response is broken (error() says how) or the sink refused.
  // Once done(), further bytes are not consumed: see surplus().
  bool feed(const char* data, size_t size, const BodySink& sink);
  // The peer closed the connection. True when that completes the response (a body read up to
  // the close); false, with error() set, when the response was cut short.
  bool finish_at_close();

  bool head_complete() const { return state_ > State::head; }
  const ResponseHead& head() const { return head_; }
  bool done() const { return state_ == State::done; }
  const std::string& error() const { return error_; }
  // Bytes that arrived after the end of the response (a server must send none unasked): the
  // connection must not be reused when this is non-zero.
  size_t surplus() const { return surplus_; }
  // True when the connection may carry another request: done, keep-alive, no surplus, and the
  // body was not delimited by the close.
  bool reusable() const;

 private:
  // failed comes first so that head_complete() is false after a failure.
  enum class State { failed, head, body_length, chunk_size, chunk_data, chunk_data_end, trailers, body_to_close, done };

  // What the head being read says about framing; reset for each head (1xx ones included).
  struct HeadScan {
    bool status_line_read = false;
    bool interim = false;  // 1xx: skipped, then the next head is read
    bool http10 = false;
    bool connection_close = false;
    bool connection_keep_alive = false;
    bool transfer_encoding = false;
    bool chunked = false;
    bool content_length_seen = false;
    uint64_t content_length = 0;
  };

  bool fail(std::string message);
  bool refuse();  // the sink said stop: failed, with no error
  bool take_line(const char*& p, const char* end, std::string_view& line, const char* section);
  void begin_section(State state);

  const char* read_head(const char* p, const char* end);
  bool on_status_line(std::string_view line);
  bool on_header_line(std::string_view line);
  bool on_field(std::string_view name, std::string_view value);
  bool on_content_length(std::string_view value);
  bool on_transfer_encoding(std::string_view value);
  void on_connection(std::string_view value);
  bool on_head_end();
  void begin_head();

  const char* pass_counted_body(const char* p, const char* end, const BodySink& sink);
  const char* pass_body_to_close(const char* p, const char* end, const BodySink& sink);
  bool deliver(const char* p, size_t n, const BodySink& sink);
  const char* read_chunk_size(const char* p, const char* end);
  bool on_chunk_size_line(std::string_view line);
  const char* read_chunk_data_end(const char* p, const char* end);
  const char* read_trailers(const char* p, const char* end);

  ResponseLimits limits_;
  State state_ = State::head;
  ResponseHead head_;
  std::string line_;  // the part of the head (or of a chunk-size or trailer line) read so far
  uint64_t remaining_ = 0;
  size_t headers_seen_ = 0;
  size_t surplus_ = 0;
  std::string error_;
  HeadScan scan_;
  size_t section_bytes_ = 0;  // of the current head, chunk-size line or trailer section: capped
  uint64_t body_bytes_ = 0;   // decoded body bytes handed to the sink
  bool chunk_cr_seen_ = false;  // the CR of the CRLF after a chunk's data
  bool delimited_by_close_ = false;
};

}  // namespace rt::http
