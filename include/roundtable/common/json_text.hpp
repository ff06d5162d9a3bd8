#pragma once
// JSON text written straight into a string, byte for byte as nlohmann's dump writes it (compact,
// ensure_ascii off, invalid UTF-8 replaced), without building a tree for it: for what is written
// per task (envelopes, log lines), where the tree and its copies cost more than the text.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rt {

// True when none of the 8 bytes at `p` is a quote, a backslash or a control character (bit
// tricks that can only err towards "maybe": a byte loop settles those).
inline bool eight_bytes_need_no_escape(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) == 0;
}

// True when the 8 bytes at `p` are all ASCII.
inline bool eight_bytes_ascii(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return (w & 0x8080808080808080ULL) == 0;
}

// Appends `text` (valid UTF-8), handing each byte a JSON string must escape (quote, backslash,
// control characters) to `escape` and copying the runs between them as they are.
template <class Escape>
void append_escaping(std::string& out, std::string_view text, Escape escape) {
  size_t copied = 0, i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (i + 8 <= n && eight_bytes_need_no_escape(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + copied, i - 1 - copied);
    copied = i;
    escape(c);
  }
  out.append(text.data() + copied, n - copied);
}

// True when `text` is UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, nothing past
// U+10FFFF): what nlohmann's dump writes as it is rather than replacing.
bool is_valid_utf8(std::string_view text);
// The length of the UTF-8 sequence (RFC 3629) that starts at text[at], a byte of 0x80 or more;
// 0 when none starts there.
size_t utf8_sequence_length(std::string_view text, size_t at);

// `text` (valid UTF-8) as the inside of a JSON string: quote, backslash and control characters
// escaped, everything else copied.
void append_json_escaped(std::string& out, std::string_view text);
// `text` as a quoted JSON string; text that is not valid UTF-8 is written as dump() writes it,
// with U+FFFD in place of each invalid sequence.
void append_json_string(std::string& out, std::string_view text);
void append_json_integer(std::string& out, int64_t value);
// Any value, as value.dump() with invalid UTF-8 replaced.
void append_json_value(std::string& out, const nlohmann::json& value);

// One JSON object appended member by member, in the order given (to match dump(), the caller
// gives them in byte order of their names): opened on construction, closed by close().
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void string(std::string_view key, std::string_view text) { append_json_string(member(key), text); }
  void integer(std::string_view key, int64_t number) { append_json_integer(member(key), number); }
  void value(std::string_view key, const nlohmann::json& json) { append_json_value(member(key), json); }
  void raw(std::string_view key, std::string_view json_text) { member(key) += json_text; }
  // The name and colon of a member whose value the caller appends next (a nested object).
  std::string& member(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    append_json_string(out_, key);
    out_ += ':';
    return out_;
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace rt
