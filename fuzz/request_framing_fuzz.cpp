// A request's body framing read from its head (http::framing_of) and the end of a chunked body
// (http::ChunkedBody), as the server's parking stage reads every request before a worker does:
// whatever a client sends, in pieces of any size, the pieces give the state the whole gives,
// and the framing of a head is read without a crash whatever it holds.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "roundtable/http/request_framing.hpp"

namespace {

using rt::http::ChunkedBody;

void check(bool condition) {
  if (!condition) std::abort();
}

ChunkedBody::State feed_in_pieces(std::string_view bytes, size_t piece, size_t cap) {
  ChunkedBody body(cap);
  for (size_t at = 0; at < bytes.size() && body.state() == ChunkedBody::State::incomplete; at += piece)
    body.feed(bytes.substr(at, piece));
  return body.state();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find("\r\n\r\n");
  std::string_view head = split == std::string_view::npos ? input : input.substr(0, split + 4);
  std::string_view body = split == std::string_view::npos ? std::string_view() : input.substr(split + 4);
  auto framing = rt::http::framing_of(head, 4096);
  check(framing.kind != rt::http::Framing::Kind::length || framing.length <= 4096);

  const size_t cap = size > 0 ? 64 + data[0] * 16 : 64;
  ChunkedBody whole(cap);
  auto state = whole.feed(body);
  size_t piece = size > 1 ? 1 + data[1] % 17 : 1;
  check(feed_in_pieces(body, piece, cap) == state);
  if (state == ChunkedBody::State::complete) check(body.size() >= 5);  // "0\r\n\r\n" at the least
  return 0;
}
