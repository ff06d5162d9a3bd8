#include "roundtable/common/json_text.hpp"

#include <charconv>

namespace rt {
namespace {

using nlohmann::json;

std::string dump_replacing(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

bool is_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
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

void append_json_escaped(std::string& out, std::string_view text) {
  append_escaping(out, text, [&out](unsigned char c) { append_escape_sequence(out, c); });
}

// ASCII cannot be invalid UTF-8; anything else goes through nlohmann, which checks it.
void append_json_string(std::string& out, std::string_view text) {
  if (!is_ascii(text)) {
    out += dump_replacing(json(text));
    return;
  }
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

void append_json_integer(std::string& out, int64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_json_value(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::string: return append_json_string(out, value.get_ref<const std::string&>());
    case json::value_t::number_integer: return append_json_integer(out, value.get<int64_t>());
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    default: out += dump_replacing(value);
  }
}

}  // namespace rt
