// The bridge's reading of a knight-gateway answer (docs/contract.md §5), the very code
// src/bridge/webhook_client.cpp runs: one JSON document through outcome_from_answer, and the
// same bytes as an NDJSON stream through NdjsonReader, fed in uneven pieces. An accepted
// result must become a result envelope that serialises.
#include <string_view>

#include "roundtable/bridge/gateway_answer.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/envelope.hpp"

namespace {

void check_outcome(const rt::bridge::GatewayOutcome& outcome) {
  if (!outcome.completed) {
    (void)rt::contract::to_json(outcome.failure).dump();
    return;
  }
  auto env = rt::contract::make_envelope(std::string(rt::contract::type::task_result), "galahad",
                                         rt::contract::to_json(outcome.result), std::chrono::system_clock::now());
  (void)rt::contract::serialize(env);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // application/json
  if (auto doc = rt::parse_json_bounded(bytes, {.max_depth = rt::contract::kMaxJsonDepth, .max_bytes = rt::bridge::kMaxAnswerBytes}))
    check_outcome(rt::bridge::outcome_from_answer(*doc, 200));
  // application/x-ndjson, in pieces whose sizes come from the input itself
  rt::bridge::ProgressSink progress = [](const rt::contract::Progress& p) { (void)rt::contract::to_json(p).dump(); };
  rt::bridge::NdjsonReader reader(progress);
  size_t at = 0;
  bool open = true;
  while (open && at < bytes.size()) {
    size_t piece = 1 + static_cast<unsigned char>(bytes[at]) % 64;
    piece = std::min(piece, bytes.size() - at);
    open = reader.feed(bytes.data() + at, piece);
    at += piece;
  }
  if (open) reader.finish();
  if (reader.final_answer()) check_outcome(rt::bridge::outcome_from_answer(*reader.final_answer(), 200));
  return 0;
}
