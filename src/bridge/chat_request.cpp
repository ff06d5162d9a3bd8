// The chat-completion request of GATEWAY_MODE=openai, written in one pass.
#include <cstdio>

#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

// `text` (valid UTF-8) as the inside of a JSON string, escaped as nlohmann's dump escapes it
// (ensure_ascii off): quote, backslash and control characters; every other byte as it is.
void append_escaped(std::string& out, std::string_view text) {
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + copied, i - copied);
    copied = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char escape[7];
        std::snprintf(escape, sizeof escape, "\\u%04x", c);
        out += escape;
      }
    }
  }
  out.append(text.data() + copied, text.size() - copied);
}

// A string from a parsed document (valid UTF-8) dumped as nlohmann dumps it, and that dump
// escaped again as part of the message text: both layers in one pass.
void append_string_twice_escaped(std::string& out, std::string_view text) {
  append_escaped(out, "\"");
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + copied, i - copied);
    copied = i + 1;
    std::string inner;
    append_escaped(inner, text.substr(i, 1));
    append_escaped(out, inner);
  }
  out.append(text.data() + copied, text.size() - copied);
  append_escaped(out, "\"");
}

// value.dump() (compact, keys in the tree's order) escaped as message text, without the dump.
void append_dump_escaped(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      append_escaped(out, "{");
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) append_escaped(out, ",");
        first = false;
        append_string_twice_escaped(out, key);
        append_escaped(out, ":");
        append_dump_escaped(out, member);
      }
      append_escaped(out, "}");
      return;
    }
    case json::value_t::array: {
      append_escaped(out, "[");
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) append_escaped(out, ",");
        append_dump_escaped(out, value[i]);
      }
      append_escaped(out, "]");
      return;
    }
    case json::value_t::string: return append_string_twice_escaped(out, value.get_ref<const std::string&>());
    default: return append_escaped(out, value.dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

std::string dumped(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string chat_request_body(const std::string& model, const std::string& user, const contract::TaskRequest& task,
                              size_t expected_bytes) {
  std::string body;
  body.reserve(expected_bytes + 1024);
  body += "{";
  if (task.max_tokens) body += "\"max_tokens\":" + std::to_string(*task.max_tokens) + ",";
  body += R"("messages":[{"content":")";
  // render_task_text(task), piece by piece: neither it nor the params' dump exists on its own.
  append_escaped(body, "Task: " + task.task + "\n");
  if (!task.params.empty()) {
    append_escaped(body, "Parameters: ");
    append_dump_escaped(body, task.params);
    append_escaped(body, "\n");
  }
  append_escaped(body, "Respond in " + task.response_format + ".");
  if (task.max_tokens) append_escaped(body, " Keep the answer under " + std::to_string(*task.max_tokens) + " tokens.");
  body += R"(","role":"user"}],"model":)" + dumped(model) + R"(,"user":)" + dumped(user) + "}";
  return body;
}

}  // namespace rt::bridge
