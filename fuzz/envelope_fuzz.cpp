// The task envelope parser (src/contract/envelope.cpp): every byte string a lead or an
// attacker can publish on <fleet>.tasks.>. An accepted envelope must serialise and parse back.
#include <cstdlib>
#include <string_view>

#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)rt::contract::readable_id(bytes);
  auto envelope = rt::contract::parse_envelope(bytes);
  if (!envelope) return 0;
  (void)envelope->expired(std::chrono::system_clock::now());
  (void)rt::contract::parse_task_request(envelope->payload);
  auto again = rt::contract::parse_envelope(rt::contract::serialize(*envelope), size_t{64} << 20);
  if (!again) std::abort();  // what we accepted, we must be able to send on
  return 0;
}
