#include "roundtable/common/json_string_scan.hpp"

#include "roundtable/common/json_text.hpp"

namespace rt {
namespace {

int hex4(std::string_view text, size_t at) {
  if (at + 4 > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void append_utf8(std::string& out, int code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

size_t end_of_valid_string(std::string_view text, size_t at) {
  constexpr size_t npos = std::string_view::npos;
  const size_t n = text.size();
  size_t i = at;
  while (i < n) {
    if (i + 8 <= n && eight_bytes_ascii(text.data() + i) && eight_bytes_need_no_escape(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') return i;
    if (c < 0x20) return npos;
    if (c < 0x80 && c != '\\') {
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= n) return npos;
      switch (text[i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          i += 2;
          continue;
        case 'u': break;
        default: return npos;
      }
      int code = hex4(text, i + 2);
      if (code < 0 || (code >= 0xDC00 && code <= 0xDFFF)) return npos;
      i += 6;
      if (code >= 0xD800 && code <= 0xDBFF) {
        if (i + 1 >= n || text[i] != '\\' || text[i + 1] != 'u') return npos;
        int low = hex4(text, i + 2);
        if (low < 0xDC00 || low > 0xDFFF) return npos;
        i += 6;
      }
      continue;
    }
    size_t length = utf8_sequence_length(text, i);
    if (length == 0) return npos;
    i += length;
  }
  return npos;
}

std::string decode_valid_string(std::string_view contents) {
  std::string out;
  out.reserve(contents.size());
  size_t copied = 0, at;
  while ((at = contents.find('\\', copied)) != std::string_view::npos) {
    out.append(contents.data() + copied, at - copied);
    const char escaped = contents[at + 1];
    copied = at + 2;
    switch (escaped) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        int code = hex4(contents, at + 2);
        copied = at + 6;
        if (code >= 0xD800 && code <= 0xDBFF) {
          code = 0x10000 + ((code - 0xD800) << 10) + (hex4(contents, copied + 2) - 0xDC00);
          copied += 6;
        }
        append_utf8(out, code);
        break;
      }
      default: out += escaped;  // " \ /
    }
  }
  out.append(contents.data() + copied, contents.size() - copied);
  return out;
}

}  // namespace rt
