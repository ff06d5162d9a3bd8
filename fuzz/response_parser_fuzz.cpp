// The HTTP/1.1 response parser (src/http/response_parser.cpp) that nats-bridge's own HTTP client
// reads knight-gateway's answers with: whatever a peer sends, in pieces of any size, under the
// default caps and under tiny ones. The pieces must give the outcome the whole input gives.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "roundtable/http/response_parser.hpp"

namespace {

using rt::http::ResponseLimits;
using rt::http::ResponseParser;

struct Outcome {
  bool ok = true;
  bool head_complete = false;
  bool done = false;
  int status = 0;
  bool keep_alive = false;
  std::string body;
  std::string error;
  size_t surplus = 0;
  bool reusable = false;
  bool operator==(const Outcome&) const = default;
};

void check(bool condition) {
  if (!condition) std::abort();
}

// Piece sizes come from the input itself; piece_cap 0 feeds everything at once.
Outcome parse(std::string_view bytes, size_t piece_cap, const ResponseLimits& limits) {
  ResponseParser parser(limits);
  Outcome out;
  ResponseParser::BodySink sink = [&](const char* data, size_t size) {
    check(size > 0);
    out.body.append(data, size);
    return true;
  };
  size_t at = 0;
  do {
    size_t piece = piece_cap == 0 || bytes.empty() ? bytes.size() : 1 + static_cast<unsigned char>(bytes[at]) % piece_cap;
    piece = std::min(piece, bytes.size() - at);
    bool fed = parser.feed(bytes.data() + at, piece, sink);
    check(fed || !parser.error().empty());  // the sink never refuses here
    out.ok = out.ok && fed;
    check(fed == out.ok);                    // once failed, failed for good
    at += piece;
  } while (at < bytes.size());
  out.head_complete = parser.head_complete();
  out.done = parser.done();
  out.status = parser.head().status;
  out.keep_alive = parser.head().keep_alive;
  out.error = parser.error();
  out.surplus = parser.surplus();
  out.reusable = parser.reusable();

  check(out.body.size() <= bytes.size());
  check(out.surplus <= bytes.size());
  check(!out.done || out.head_complete);
  check(!out.head_complete || (out.status >= 200 && out.status <= 599));
  check(!out.reusable || (out.done && out.keep_alive && out.surplus == 0));
  check(out.ok || !out.done);
  // What a close does, and that a failed parser stays as it is.
  bool closed = parser.finish_at_close();
  check(closed == parser.done());
  check(closed || !parser.error().empty());
  check(!out.done || closed);
  if (!out.ok) {
    check(!closed && parser.error() == out.error);
    check(!parser.feed("HTTP/1.1 200 OK\r\n\r\n", 19, sink) && parser.error() == out.error);
    check(parser.surplus() == out.surplus);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (ResponseLimits limits : {ResponseLimits{}, ResponseLimits{.max_head_bytes = 64, .max_headers = 3}}) {
    Outcome whole = parse(bytes, 0, limits);
    check(parse(bytes, 61, limits) == whole);
    if (size <= 4096) check(parse(bytes, 1, limits) == whole);
  }
  return 0;
}
