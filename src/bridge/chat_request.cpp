// The chat-completion request of GATEWAY_MODE=openai, written in one pass.
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/common/json_text.hpp"

namespace rt::bridge {
namespace {

using nlohmann::json;

// A string from a parsed document (valid UTF-8) dumped as nlohmann dumps it, and that dump
// escaped again as part of the message text: both layers in one pass.
void append_string_twice_escaped(std::string& out, std::string_view text) {
  append_json_escaped(out, "\"");
  append_escaping(out, text, [&out](unsigned char c) {
    std::string inner;
    const char byte = static_cast<char>(c);
    append_json_escaped(inner, std::string_view(&byte, 1));
    append_json_escaped(out, inner);
  });
  append_json_escaped(out, "\"");
}

// value.dump() (compact, keys in the tree's order) escaped as message text, without the dump.
void append_dump_escaped(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      append_json_escaped(out, "{");
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) append_json_escaped(out, ",");
        first = false;
        append_string_twice_escaped(out, key);
        append_json_escaped(out, ":");
        append_dump_escaped(out, member);
      }
      append_json_escaped(out, "}");
      return;
    }
    case json::value_t::array: {
      append_json_escaped(out, "[");
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) append_json_escaped(out, ",");
        append_dump_escaped(out, value[i]);
      }
      append_json_escaped(out, "]");
      return;
    }
    case json::value_t::string: return append_string_twice_escaped(out, value.get_ref<const std::string&>());
    default: return append_json_escaped(out, value.dump(-1, ' ', false, json::error_handler_t::replace));
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
  append_json_escaped(body, "Task: " + task.task + "\n");
  if (!task.params.empty()) {
    append_json_escaped(body, "Parameters: ");
    append_dump_escaped(body, task.params);
    append_json_escaped(body, "\n");
  }
  append_json_escaped(body, "Respond in " + task.response_format + ".");
  if (task.max_tokens) append_json_escaped(body, " Keep the answer under " + std::to_string(*task.max_tokens) + " tokens.");
  body += R"(","role":"user"}],"model":)" + dumped(model) + R"(,"user":)" + dumped(user) + "}";
  return body;
}

}  // namespace rt::bridge
