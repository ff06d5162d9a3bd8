// The task envelope parser (src/contract/envelope.cpp): every byte string a lead or an
// attacker can publish on <fleet>.tasks.>. An accepted envelope must serialise and parse back.
// The hand-written fast path (common/json_scan.hpp) must build nlohmann's tree, number types
// included, of whatever it accepts, and accept nothing nlohmann refuses.
#include <cstdlib>
#include <string_view>

#include "roundtable/common/json_scan.hpp"
#include "roundtable/common/json_text.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/task_view.hpp"
#include "tests/fixtures/json_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)rt::contract::readable_id(bytes);
  if (auto fast = rt::scan_ordinary_json(bytes, rt::contract::kMaxJsonDepth)) {
    auto full = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
    if (full.is_discarded() || full != *fast || full.dump() != fast->dump() || !rt::testing::same_json_types(full, *fast)) std::abort();
  }
  auto envelope = rt::contract::parse_envelope(bytes);
  // The bridge's lean parse (contract/task_view.hpp) must give the same verdict and message.
  for (bool keep_params : {false, true}) {
    auto lean = rt::contract::parse_task_envelope(bytes, {.keep_params = keep_params});
    if (static_cast<bool>(lean) != static_cast<bool>(envelope)) std::abort();
    if (!lean && lean.error().message != envelope.error().message) std::abort();
    if (lean && lean->id != envelope->id) std::abort();
  }
  if (!envelope) return 0;
  (void)envelope->expired(std::chrono::system_clock::now());
  (void)rt::contract::parse_task_request(envelope->payload);
  std::string written;  // common/json_text writes what nlohmann's dump writes, byte for byte
  rt::append_json_value(written, envelope->payload);
  if (written != envelope->payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) std::abort();
  auto again = rt::contract::parse_envelope(rt::contract::serialize(*envelope), size_t{64} << 20);
  if (!again) std::abort();  // what we accepted, we must be able to send on
  return 0;
}
