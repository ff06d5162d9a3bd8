#pragma once
// How a request's body is framed, read from its head before any worker reads the body, and a
// scanner that finds the end of a chunked body. With them a parked connection goes to a worker
// only once its whole request has arrived, and ambiguous framing (a smuggled second request
// behind a proxy) is refused before anything reads it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rt::http {

struct Framing {
  enum class Kind {
    none,       // neither Content-Length nor Transfer-Encoding: no body (RFC 9112 §6.3)
    length,     // Content-Length: `length` bytes
    chunked,    // Transfer-Encoding: chunked
    too_large,  // a Content-Length over the limit: 413
    invalid,    // both headers, differing or malformed lengths, another transfer coding: 400
  };
  Kind kind = Kind::none;
  uint64_t length = 0;
};

// `head`: the request line and headers, "\r\n\r\n" included.
Framing framing_of(std::string_view head, size_t max_body_bytes);

// How many bytes a body of at most `max_body_bytes` may take on the wire: a chunked one carries
// its framing (size lines, trailers) around the data, and is refused past this.
constexpr size_t framed_body_cap(size_t max_body_bytes) { return 2 * max_body_bytes + 64 * 1024; }

// Finds the end of a chunked body (chunk-size lines, data, last chunk, trailers) fed in pieces.
class ChunkedBody {
 public:
  enum class State { incomplete, complete, too_large, invalid };

  // `max_bytes`: the body with its framing may not be longer.
  explicit ChunkedBody(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Feeds the next bytes; those after the end of the body are not looked at.
  State feed(std::string_view bytes);
  State state() const { return state_; }

 private:
  enum class Part { size_line, data, data_end, trailer_line };
  bool end_of_line(char c);

  size_t max_bytes_;
  size_t seen_ = 0;
  Part part_ = Part::size_line;
  std::string line_;
  uint64_t left_ = 0;  // data bytes left in the current chunk, or size being read
  State state_ = State::incomplete;
};

}  // namespace rt::http
