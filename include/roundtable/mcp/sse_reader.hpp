#pragma once
// Server-sent events (the WHATWG EventSource framing) read incrementally from a byte stream,
// as a Streamable HTTP MCP server answers a POST: "event:", "data:" (joined by newlines), "id:"
// lines, an empty line ending each event; comments (":") ignored; LF, CRLF or CR line ends.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rt::mcp {

struct SseEvent {
  std::string event = "message";
  std::string data;
  std::string id;
};

class SseReader {
 public:
  // max_event_bytes bounds one event's data (and a line without an end): past it the reader
  // fails and stays failed.
  explicit SseReader(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}
  // The events completed by these bytes. Empty after a failure.
  std::vector<SseEvent> feed(std::string_view bytes);
  bool failed() const { return failed_; }

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);

  size_t max_event_bytes_;
  std::string partial_;  // a line not yet ended
  bool after_cr_ = false;
  SseEvent current_;
  bool has_data_ = false;
  bool failed_ = false;
};

}  // namespace rt::mcp
