#include "roundtable/http/response_parser.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

namespace rt::http {
namespace {

bool is_space_or_tab(char c) { return c == ' ' || c == '\t'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 §5.6.2 tchar.
bool is_token_char(char c) {
  if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// Any control character but HTAB: allowed nowhere in a status line or a field value.
bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_or_tab(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_or_tab(s.back())) s.remove_suffix(1);
  return s;
}

// Peer bytes quoted in an error message: short, and nothing a log line would choke on.
std::string quoted(std::string_view s) {
  constexpr size_t kShown = 40;
  std::string out = "\"";
  for (char c : s.substr(0, kShown)) out += c >= 0x20 && c < 0x7f ? c : '?';
  out += s.size() > kShown ? "...\"" : "\"";
  return out;
}

// Calls f on each trimmed element of a comma-separated list, empty ones included, until f
// returns false.
template <class F>
bool for_each_element(std::string_view list, F f) {
  for (;;) {
    size_t comma = list.find(',');
    if (!f(trim(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

std::optional<uint64_t> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  char l = lower(c);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

constexpr size_t kMaxChunkSizeDigits = 16;  // what fits in 64 bits

}  // namespace

ResponseParser::ResponseParser(ResponseLimits limits) : limits_(limits) {}

bool ResponseParser::feed(const char* data, size_t size, const BodySink& sink) {
  const char* p = data;
  const char* end = data + size;
  while (p != end) {
    switch (state_) {
      case State::head: p = read_head(p, end); break;
      case State::body_length: p = pass_counted_body(p, end, sink); break;
      case State::chunk_size: p = read_chunk_size(p, end); break;
      case State::chunk_data: p = pass_counted_body(p, end, sink); break;
      case State::chunk_data_end: p = read_chunk_data_end(p, end); break;
      case State::trailers: p = read_trailers(p, end); break;
      case State::body_to_close: p = pass_body_to_close(p, end, sink); break;
      case State::done: surplus_ += static_cast<size_t>(end - p); return true;
      case State::failed: return false;
    }
  }
  return state_ != State::failed;
}

bool ResponseParser::finish_at_close() {
  switch (state_) {
    case State::done: return true;
    case State::failed: return false;
    case State::body_to_close: state_ = State::done; return true;
    case State::head: return fail("connection closed before the response head was complete");
    case State::body_length:
      return fail("connection closed after " + std::to_string(body_bytes_) + " of " +
                  std::to_string(scan_.content_length) + " body bytes");
    default:
      return fail("connection closed inside the chunked body, after " + std::to_string(body_bytes_) + " body bytes");
  }
}

bool ResponseParser::reusable() const {
  return done() && head_.keep_alive && surplus_ == 0 && !delimited_by_close_;
}

bool ResponseParser::fail(std::string message) {
  state_ = State::failed;
  error_ = std::move(message);
  return false;
}

bool ResponseParser::refuse() {
  state_ = State::failed;
  return false;
}

// Takes the bytes up to the next LF into `line` (without its CRLF or LF), counting them against
// the cap of the current section as they arrive. A view into `data` when the whole line is
// there; otherwise the line is collected in line_, which the caller clears once it is handled.
// False while the line is incomplete, or on failure.
bool ResponseParser::take_line(const char*& p, const char* end, std::string_view& line, const char* section) {
  const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
  const char* stop = lf ? lf + 1 : end;
  auto taken = static_cast<size_t>(stop - p);
  if (taken > limits_.max_head_bytes - section_bytes_)
    return fail(std::string(section) + " is larger than " + std::to_string(limits_.max_head_bytes) + " bytes");
  section_bytes_ += taken;
  if (!lf) {
    line_.append(p, taken);
    p = end;
    return false;
  }
  if (line_.empty()) {
    line = std::string_view(p, static_cast<size_t>(lf - p));
  } else {
    line_.append(p, static_cast<size_t>(lf - p));
    line = line_;
  }
  p = stop;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find('\r') != std::string_view::npos) return fail(std::string("a bare CR in ") + section);
  return true;
}

void ResponseParser::begin_section(State state) {
  state_ = state;
  section_bytes_ = 0;
  headers_seen_ = 0;
  line_.clear();
}

// ---- the head ----------------------------------------------------------------------------

const char* ResponseParser::read_head(const char* p, const char* end) {
  std::string_view line;
  if (!take_line(p, end, line, "the response head")) return p;
  if (!scan_.status_line_read) on_status_line(line);
  else if (line.empty()) on_head_end();
  else on_header_line(line);
  line_.clear();
  return p;
}

// HTTP-version SP 3DIGIT SP reason-phrase (RFC 9112 §4); a missing SP before an empty reason is
// tolerated, as most clients do.
bool ResponseParser::on_status_line(std::string_view line) {
  std::string_view version = line.substr(0, line.find(' '));
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return fail("not an HTTP/1.x status line: " + quoted(line));
  scan_.http10 = version == "HTTP/1.0";
  std::string_view rest = line.substr(version.size());
  if (rest.size() < 4 || rest[0] != ' ' || !is_digit(rest[1]) || !is_digit(rest[2]) || !is_digit(rest[3]) ||
      (rest.size() > 4 && rest[4] != ' '))
    return fail("malformed status line: " + quoted(line));
  int status = (rest[1] - '0') * 100 + (rest[2] - '0') * 10 + (rest[3] - '0');
  if (status < 100 || status > 599) return fail("status " + std::string(rest.substr(1, 3)) + " is not in 100..599");
  if (status == 101) return fail("unexpected 101 Switching Protocols (no upgrade was asked for)");
  if (has_control_char(rest.substr(4))) return fail("a control character in the reason phrase");
  scan_.status_line_read = true;
  scan_.interim = status < 200;
  if (!scan_.interim) head_.status = status;
  return true;
}

bool ResponseParser::on_header_line(std::string_view line) {
  if (is_space_or_tab(line.front())) return fail("obsolete line folding in the response head");
  if (++headers_seen_ > limits_.max_headers)
    return fail("more than " + std::to_string(limits_.max_headers) + " header fields");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail("a header line without a colon: " + quoted(line));
  std::string_view name = line.substr(0, colon);
  if (!name.empty() && is_space_or_tab(name.back())) return fail("whitespace before the colon in header " + quoted(name));
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
    return fail("invalid header name " + quoted(name));
  std::string_view value = trim(line.substr(colon + 1));
  if (has_control_char(value)) return fail("a control character in header " + quoted(name));
  return scan_.interim || on_field(name, value);
}

bool ResponseParser::on_field(std::string_view name, std::string_view value) {
  if (iequals(name, "content-length")) return on_content_length(value);
  if (iequals(name, "transfer-encoding")) return on_transfer_encoding(value);
  if (iequals(name, "connection")) on_connection(value);
  else if (iequals(name, "content-type")) head_.content_type = value;
  else if (iequals(name, "retry-after")) head_.retry_after = value;
  return true;
}

// RFC 9110 §8.6: a list of identical values may stand for one; anything else is an error.
bool ResponseParser::on_content_length(std::string_view value) {
  return for_each_element(value, [&](std::string_view element) {
    auto length = parse_decimal(element);
    if (!length) return fail("invalid Content-Length " + quoted(value));
    if (scan_.content_length_seen && *length != scan_.content_length) return fail("conflicting Content-Length values");
    scan_.content_length_seen = true;
    scan_.content_length = *length;
    return true;
  });
}

// We never ask for a coding, so chunked alone is the one a server may use (RFC 9112 §6.1).
bool ResponseParser::on_transfer_encoding(std::string_view value) {
  scan_.transfer_encoding = true;
  return for_each_element(value, [&](std::string_view coding) {
    if (coding.empty()) return true;
    if (!iequals(coding, "chunked")) return fail("unsupported transfer coding " + quoted(coding));
    if (scan_.chunked) return fail("the chunked transfer coding applied more than once");
    scan_.chunked = true;
    return true;
  });
}

void ResponseParser::on_connection(std::string_view value) {
  for_each_element(value, [&](std::string_view option) {
    if (iequals(option, "close")) scan_.connection_close = true;
    else if (iequals(option, "keep-alive")) scan_.connection_keep_alive = true;
    return true;
  });
}

// Body framing, RFC 9112 §6.3.
bool ResponseParser::on_head_end() {
  if (scan_.interim) {
    begin_head();
    return true;
  }
  if (scan_.transfer_encoding && scan_.content_length_seen) return fail("both Transfer-Encoding and Content-Length");
  if (scan_.transfer_encoding && !scan_.chunked) return fail("a Transfer-Encoding that names no coding");
  head_.keep_alive = !scan_.connection_close && (!scan_.http10 || scan_.connection_keep_alive);
  // An HTTP/1.0 message with Transfer-Encoding has faulty framing: the connection is closed after it.
  if (scan_.http10 && scan_.transfer_encoding) head_.keep_alive = false;
  if (head_.status == 204 || head_.status == 304) {
    begin_section(State::done);
  } else if (scan_.chunked) {
    begin_section(State::chunk_size);
  } else if (scan_.content_length_seen) {
    remaining_ = scan_.content_length;
    begin_section(remaining_ > 0 ? State::body_length : State::done);
  } else {
    delimited_by_close_ = true;
    begin_section(State::body_to_close);
  }
  return true;
}

void ResponseParser::begin_head() {
  scan_ = HeadScan{};
  begin_section(State::head);
}

// ---- the body ----------------------------------------------------------------------------

bool ResponseParser::deliver(const char* p, size_t n, const BodySink& sink) {
  body_bytes_ += n;
  return !sink || sink(p, n) || refuse();
}

const char* ResponseParser::pass_counted_body(const char* p, const char* end, const BodySink& sink) {
  auto n = static_cast<size_t>(std::min<uint64_t>(remaining_, static_cast<uint64_t>(end - p)));
  remaining_ -= n;
  if (!deliver(p, n, sink)) return end;
  if (remaining_ == 0) {
    if (state_ == State::body_length) begin_section(State::done);
    else state_ = State::chunk_data_end;
  }
  return p + n;
}

const char* ResponseParser::pass_body_to_close(const char* p, const char* end, const BodySink& sink) {
  deliver(p, static_cast<size_t>(end - p), sink);
  return end;
}

const char* ResponseParser::read_chunk_size(const char* p, const char* end) {
  std::string_view line;
  if (!take_line(p, end, line, "a chunk-size line")) return p;
  on_chunk_size_line(line);
  line_.clear();
  return p;
}

// chunk-size [ chunk-ext ] (RFC 9112 §7.1): the extensions are ignored.
bool ResponseParser::on_chunk_size_line(std::string_view line) {
  size_t digits = 0;
  uint64_t size = 0;
  for (; digits < line.size() && hex_value(line[digits]) >= 0; ++digits) {
    if (digits == kMaxChunkSizeDigits) return fail("a chunk size of more than 16 hex digits");
    size = size << 4 | static_cast<uint64_t>(hex_value(line[digits]));
  }
  std::string_view rest = trim(line.substr(digits));
  if (digits == 0 || (!rest.empty() && rest.front() != ';')) return fail("invalid chunk size " + quoted(line));
  if (size == 0) {
    begin_section(State::trailers);
  } else {
    remaining_ = size;
    state_ = State::chunk_data;
  }
  return true;
}

const char* ResponseParser::read_chunk_data_end(const char* p, const char* end) {
  (void)end;
  if (*p == '\r' && !chunk_cr_seen_) {
    chunk_cr_seen_ = true;
  } else if (*p == '\n') {
    chunk_cr_seen_ = false;
    begin_section(State::chunk_size);
  } else {
    fail("chunk data not followed by CRLF");
  }
  return p + 1;
}

const char* ResponseParser::read_trailers(const char* p, const char* end) {
  std::string_view line;
  if (!take_line(p, end, line, "the trailer section")) return p;
  if (line.empty()) begin_section(State::done);
  else if (++headers_seen_ > limits_.max_headers)
    fail("more than " + std::to_string(limits_.max_headers) + " trailer fields");
  line_.clear();
  return p;
}

}  // namespace rt::http
