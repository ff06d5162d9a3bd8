#pragma once
// Finds the end of an HTTP request head ("\r\n\r\n") across reads, with a cap on its size, so a
// client can never make us buffer more than the cap before its request is complete.
#include <cstddef>
#include <string_view>

namespace rt::http {

class HeaderScanner {
 public:
  enum class State { incomplete, complete, too_large };

  explicit HeaderScanner(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Feeds the next bytes of the stream; bytes after the end of the head are not looked at.
  State feed(std::string_view bytes);
  // Starts over for the next request on the same connection.
  void reset();
  State state() const { return state_; }
  // Bytes of the head seen so far (once complete: the head's length, "\r\n\r\n" included).
  size_t head_bytes() const { return seen_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  size_t max_bytes_;
  size_t seen_ = 0;
  int matched_ = 0;  // how much of "\r\n\r\n" the last bytes matched
  State state_ = State::incomplete;
};

}  // namespace rt::http
