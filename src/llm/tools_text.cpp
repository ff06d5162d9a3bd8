// ToolsText (roundtable/llm/wire.hpp) and the append that splices its text into a request.
#include "request_text.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::llm {

namespace {

bool same_tools(const std::vector<ToolSpec>& a, const std::vector<ToolSpec>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].description != b[i].description || a[i].input_schema != b[i].input_schema) return false;
  return true;
}

}  // namespace

std::string ToolsText::text(const std::vector<ToolSpec>& tools, Render render) {
  std::lock_guard lock(mutex_);
  if (!tools_ || !same_tools(*tools_, tools)) {
    text_ = wire_text(render(tools));
    tools_ = tools;
  }
  return text_;
}

void append_last_member(std::string& object_text, std::string_view key, const std::string& value_text) {
  // "{}" takes no comma; any other object gets one before the new member.
  bool empty = object_text.size() == 2;
  object_text.pop_back();  // the closing brace
  if (!empty) object_text += ',';
  object_text += '"';
  object_text += key;
  object_text += "\":";
  object_text += value_text;
  object_text += '}';
}

}  // namespace rt::llm
