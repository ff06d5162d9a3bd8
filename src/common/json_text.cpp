#include "roundtable/common/json_text.hpp"

#include <charconv>

namespace rt {
namespace {

using nlohmann::json;

std::string dump_replacing(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Past this depth a value is written by nlohmann's dump; what we write was parsed within
// kMaxJsonDepth, so this only bounds the recursion for a tree built some other way.
constexpr int kMaxWrittenDepth = 128;

void append_unsigned(std::string& out, uint64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_value_at(std::string& out, const json& value, int depth);

void append_object(std::string& out, const json& object, int depth) {
  out += '{';
  bool first = true;
  for (auto member = object.begin(); member != object.end(); ++member) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, member.key());
    out += ':';
    append_value_at(out, member.value(), depth + 1);
  }
  out += '}';
}

void append_array(std::string& out, const json& array, int depth) {
  out += '[';
  bool first = true;
  for (const json& element : array) {
    if (!first) out += ',';
    first = false;
    append_value_at(out, element, depth + 1);
  }
  out += ']';
}

void append_value_at(std::string& out, const json& value, int depth) {
  switch (value.type()) {
    case json::value_t::string: return append_json_string(out, value.get_ref<const std::string&>());
    case json::value_t::number_integer: return append_json_integer(out, value.get<int64_t>());
    case json::value_t::number_unsigned: return append_unsigned(out, value.get<uint64_t>());
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case json::value_t::null: out += "null"; return;
    case json::value_t::object:
      if (depth < kMaxWrittenDepth) return append_object(out, value, depth);
      break;
    case json::value_t::array:
      if (depth < kMaxWrittenDepth) return append_array(out, value, depth);
      break;
    default: break;  // floats (nlohmann's shortest form), binary, discarded
  }
  out += dump_replacing(value);
}

// The escape of one byte that a JSON string may not hold as it is, as nlohmann writes it.
void append_escape_sequence(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default: {
      const char sequence[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0f]};
      out.append(sequence, sizeof sequence);
    }
  }
}

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  size_t length = 0;
  unsigned char second_lo = 0x80, second_hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) length = 2;
  else if (c == 0xE0) length = 3, second_lo = 0xA0;
  else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) length = 3;
  else if (c == 0xED) length = 3, second_hi = 0x9F;
  else if (c == 0xF0) length = 4, second_lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) length = 4;
  else if (c == 0xF4) length = 4, second_hi = 0x8F;
  else return 0;
  if (i + length > text.size()) return 0;
  auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < second_lo || second > second_hi) return 0;
  for (size_t k = 2; k < length; ++k)
    if (auto next = static_cast<unsigned char>(text[i + k]); next < 0x80 || next > 0xBF) return 0;
  return length;
}

void append_json_escaped(std::string& out, std::string_view text) {
  append_escaping(out, text, [&out](unsigned char c) { append_escape_sequence(out, c); });
}

bool is_valid_utf8(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && eight_bytes_ascii(text.data() + i)) {
      i += 8;
    } else if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
    } else {
      size_t length = utf8_sequence_length(text, i);
      if (length == 0) return false;
      i += length;
    }
  }
  return true;
}

// Most strings written per task (ids, names, timestamps) are plain ASCII with nothing to escape:
// one scan and one copy, where the general path scans twice and copies a run at a time.
// Invalid UTF-8 goes through nlohmann, which writes U+FFFD for each bad sequence.
void append_json_string(std::string& out, std::string_view text) {
  size_t plain = 0;
  const size_t n = text.size();
  while (plain + 8 <= n && eight_bytes_ascii(text.data() + plain) && eight_bytes_need_no_escape(text.data() + plain)) plain += 8;
  auto is_plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
  while (plain < n && is_plain(static_cast<unsigned char>(text[plain]))) ++plain;
  if (plain == n) {
    out.reserve(out.size() + n + 2);
    out += '"';
    out.append(text);
    out += '"';
    return;
  }
  if (!is_valid_utf8(text)) {
    out += dump_replacing(json(text));
    return;
  }
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

void append_json_integer(std::string& out, int64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_json_value(std::string& out, const json& value) { append_value_at(out, value, 0); }

}  // namespace rt
