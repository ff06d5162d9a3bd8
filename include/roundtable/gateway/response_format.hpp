#pragma once
// A task's responseFormat (docs/contract.md §4): what the model is asked for, and for `json`
// the check its answer must pass (the agent asks once more with the reason, then fails
// model_error).
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/common/result.hpp"

namespace rt::gateway {

enum class ResponseFormat { markdown, text, json };

// nullopt for anything but `markdown`, `text` and `json`.
std::optional<ResponseFormat> parse_response_format(std::string_view name);
std::string_view response_format_name(ResponseFormat format);
// The paragraph added to the system prompt.
std::string response_format_instructions(ResponseFormat format);
// For json: the answer as one JSON text (one surrounding ``` fence and blank space removed).
// Error: invalid_params naming why it is not JSON.
Result<std::string> json_answer(std::string_view text);
// The user message that asks for the answer again, with the reason the first was refused.
std::string json_correction(const std::string& why);

}  // namespace rt::gateway
