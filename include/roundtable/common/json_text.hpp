#pragma once
// JSON text written straight into a string, byte for byte as nlohmann's dump writes it (compact,
// ensure_ascii off, invalid UTF-8 replaced), without building a tree for it: for what is written
// per task (envelopes, log lines), where the tree and its copies cost more than the text.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rt {

// Appends `text` (valid UTF-8), handing each byte a JSON string must escape (quote, backslash,
// control characters) to `escape` and copying the runs between them as they are.
template <class Escape>
void append_escaping(std::string& out, std::string_view text, Escape escape) {
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + copied, i - copied);
    copied = i + 1;
    escape(c);
  }
  out.append(text.data() + copied, text.size() - copied);
}

// `text` (valid UTF-8) as the inside of a JSON string: quote, backslash and control characters
// escaped, everything else copied.
void append_json_escaped(std::string& out, std::string_view text);
// `text` as a quoted JSON string; text that is not valid UTF-8 is written as dump() writes it,
// with U+FFFD in place of each invalid sequence.
void append_json_string(std::string& out, std::string_view text);
void append_json_integer(std::string& out, int64_t value);
// Any value, as value.dump() with invalid UTF-8 replaced.
void append_json_value(std::string& out, const nlohmann::json& value);

}  // namespace rt
