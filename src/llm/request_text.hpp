#pragma once
// Pieces for writing a request's JSON text from parts (roundtable/llm/wire.hpp, ToolsText).
#include <string>
#include <string_view>

namespace rt::llm {

// `object_text` is a compact JSON object; `key` sorts after all its keys (nlohmann orders them),
// so appending it last gives the text the whole object would have been dumped as.
void append_last_member(std::string& object_text, std::string_view key, const std::string& value_text);

}  // namespace rt::llm
