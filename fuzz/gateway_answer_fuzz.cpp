// The bridge's reading of a knight-gateway answer (docs/contract.md §5), as src/bridge/webhook_client.cpp
// does it: one JSON document, or NDJSON lines of progress ending in a result. The HTTP
// plumbing stays out; each document goes through the same bounded parse and payload parsers,
// and an accepted result must become a result envelope that serialises.
#include <string_view>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"

namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = 8u << 20;  // webhook_client.cpp's limit per document / line

void answer(const json& doc) {
  if (!doc.is_object()) return;
  auto status = doc.find("status");
  std::string state = status != doc.end() && status->is_string() ? status->get<std::string>() : "";
  if (state == "completed") {
    auto result = rt::contract::parse_task_result(doc);
    if (!result) return;
    auto env = rt::contract::make_envelope(std::string(rt::contract::type::task_result), "galahad",
                                           rt::contract::to_json(*result), std::chrono::system_clock::now());
    (void)rt::contract::serialize(env);
  } else if (state == "failed") {
    auto failure = rt::contract::parse_task_failure(doc);
    if (failure) (void)rt::contract::to_json(*failure).dump();
  }
}

void line(std::string_view text) {
  auto doc = rt::parse_json_bounded(text, {.max_depth = rt::contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes});
  if (!doc || !doc->is_object()) return;
  auto type = doc->find("type");
  if (type == doc->end() || !type->is_string()) return;
  if (*type == "progress") (void)rt::contract::to_json(rt::contract::parse_progress(*doc)).dump();
  else if (*type == "result") answer(*doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // application/json
  if (auto doc = rt::parse_json_bounded(bytes, {.max_depth = rt::contract::kMaxJsonDepth, .max_bytes = kMaxAnswerBytes}))
    answer(*doc);
  // application/x-ndjson
  size_t start = 0;
  while (start <= bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    line(bytes.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
