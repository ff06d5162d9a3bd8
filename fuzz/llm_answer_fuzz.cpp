// The providers' answer parsers (src/llm/anthropic.cpp, src/llm/openai.cpp): whatever an LLM
// API, a proxy or an OpenAI-compatible stand-in answers with a 200. No SSE parser exists in
// src/llm (both providers call their API without streaming), so these are the whole surface.
#include <string>

#include "roundtable/llm/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  for (const auto& outcome : {rt::llm::anthropic_response(body, "claude-test"), rt::llm::openai_response(body, "gpt-test")}) {
    if (!outcome.ok()) (void)rt::llm::utf8_prefix(outcome.failure.message, 200);
  }
  return 0;
}
