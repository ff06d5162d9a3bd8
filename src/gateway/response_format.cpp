#include "roundtable/gateway/response_format.hpp"

#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::gateway {

std::optional<ResponseFormat> parse_response_format(std::string_view name) {
  if (name == "markdown") return ResponseFormat::markdown;
  if (name == "text") return ResponseFormat::text;
  if (name == "json") return ResponseFormat::json;
  return std::nullopt;
}

std::string_view response_format_name(ResponseFormat format) {
  switch (format) {
    case ResponseFormat::text: return "text";
    case ResponseFormat::json: return "json";
    case ResponseFormat::markdown: break;
  }
  return "markdown";
}

std::string response_format_instructions(ResponseFormat format) {
  switch (format) {
    case ResponseFormat::text:
      return "# Response format\nAnswer in plain text: no Markdown (no headings, bullets, emphasis, tables or code fences).\n";
    case ResponseFormat::json:
      return "# Response format\nAnswer with exactly one JSON value (an object unless the task says otherwise) and nothing else: "
             "no prose before or after it, no code fence. It must parse as strict JSON.\n";
    case ResponseFormat::markdown: break;
  }
  return "# Response format\nAnswer in Markdown.\n";
}

namespace {

std::string_view trim(std::string_view text) {
  const char* blank = " \t\r\n";
  auto first = text.find_first_not_of(blank);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blank) - first + 1);
}

// ```json\n...\n``` -> ...; anything else as it is.
std::string_view without_fence(std::string_view text) {
  if (text.size() < 6 || text.substr(0, 3) != "```" || text.substr(text.size() - 3) != "```") return text;
  auto newline = text.find('\n');
  if (newline == std::string_view::npos || newline + 1 > text.size() - 3) return text;
  return trim(text.substr(newline + 1, text.size() - 3 - newline - 1));
}

}  // namespace

Result<std::string> json_answer(std::string_view text) {
  std::string_view body = without_fence(trim(text));
  if (body.empty()) return make_error(ErrorCode::invalid_params, "the answer is empty");
  auto parsed = parse_json_bounded(body, {.max_depth = contract::kMaxJsonDepth});
  if (!parsed) return make_error(ErrorCode::invalid_params, parsed.error().message);
  return std::string(body);
}

std::string json_correction(const std::string& why) {
  return "Your answer was not valid JSON (" + why.substr(0, 200) +
         "). Answer again with exactly one JSON value and nothing else: no prose, no code fence.";
}

}  // namespace rt::gateway
