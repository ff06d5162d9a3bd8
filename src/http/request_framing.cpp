#include "roundtable/http/request_framing.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "roundtable/common/strings.hpp"

namespace rt::http {

namespace {

constexpr size_t kMaxFramingLine = 1024;  // a chunk-size line or a trailer line

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<uint64_t> decimal(std::string_view text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

Framing framing_of(std::string_view head, size_t max_body_bytes) {
  std::optional<uint64_t> length;
  bool has_length = false, has_coding = false, chunked = false;
  size_t at = head.find("\r\n");  // skip the request line
  while (at != std::string_view::npos && at + 2 < head.size()) {
    size_t end = head.find("\r\n", at + 2);
    if (end == std::string_view::npos) break;
    std::string_view line = head.substr(at + 2, end - at - 2);
    at = end;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon), value = trimmed(line.substr(colon + 1));
    if (equals_ignoring_case(name, "content-length")) {
      auto parsed = decimal(value);
      if (!parsed || (has_length && length != parsed)) return {Framing::Kind::invalid};
      has_length = true;
      length = parsed;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      if (has_coding || !equals_ignoring_case(value, "chunked")) return {Framing::Kind::invalid};
      has_coding = chunked = true;
    }
  }
  if (has_length && has_coding) return {Framing::Kind::invalid};
  if (chunked) return {Framing::Kind::chunked};
  if (!has_length) return {Framing::Kind::none};
  if (*length > max_body_bytes) return {Framing::Kind::too_large, *length};
  return {Framing::Kind::length, *length};
}

// True when `c` ended the line being collected (its "\r\n"); a line too long is invalid.
bool ChunkedBody::end_of_line(char c) {
  if (c == '\n' && !line_.empty() && line_.back() == '\r') {
    line_.pop_back();
    return true;
  }
  line_ += c;
  if (line_.size() > kMaxFramingLine) state_ = State::invalid;
  return false;
}

ChunkedBody::State ChunkedBody::feed(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size() && state_ == State::incomplete; ++i) {
    if (++seen_ > max_bytes_) {
      state_ = State::too_large;
      break;
    }
    char c = bytes[i];
    switch (part_) {
      case Part::size_line: {
        if (!end_of_line(c)) break;
        std::string_view size = trimmed(std::string_view(line_).substr(0, line_.find(';')));
        auto parsed = std::from_chars(size.data(), size.data() + size.size(), left_, 16);
        if (size.empty() || size.size() > 15 || parsed.ptr != size.data() + size.size()) {
          state_ = State::invalid;
          break;
        }
        line_.clear();
        part_ = left_ == 0 ? Part::trailer_line : Part::data;
        break;
      }
      case Part::data: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(left_, bytes.size() - i));
        left_ -= take;
        seen_ += take - 1;
        i += take - 1;
        if (seen_ > max_bytes_) state_ = State::too_large;
        if (left_ == 0) part_ = Part::data_end;
        break;
      }
      case Part::data_end:  // exactly "\r\n": more data than the size line said is invalid
        if (line_.empty() && c != '\r') {
          state_ = State::invalid;
        } else if (end_of_line(c)) {
          part_ = Part::size_line;
        } else if (line_.size() > 1) {
          state_ = State::invalid;
        }
        break;
      case Part::trailer_line:
        if (!end_of_line(c)) break;
        if (line_.empty()) state_ = State::complete;
        line_.clear();
        break;
    }
  }
  return state_;
}

}  // namespace rt::http
