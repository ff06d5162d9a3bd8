#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
// headers that carry one trace across the CLI, NATS, the bridge, the gateway and the lead.
// Input is untrusted: anything not exactly version 00 is refused, and the caller starts a new
// trace instead (a bad header never fails a task).
#include <optional>
#include <string>
#include <string_view>

namespace rt::trace {

inline constexpr size_t kMaxTraceStateChars = 512;
inline constexpr size_t kMaxTraceStateMembers = 32;

struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero: the span the receiver is a child of
  bool sampled = true;
  std::string trace_state;  // kept verbatim when valid, else empty

  bool valid() const { return trace_id.size() == 32 && span_id.size() == 16; }
  std::string traceparent() const;  // "00-<trace id>-<span id>-01|00"
};

// `00-<32 hex>-<16 hex>-<2 hex>`, lowercase, ids not all zero; nullopt for anything else.
std::optional<TraceContext> parse_traceparent(std::string_view header);
// The header unchanged when it is a valid list of at most 32 members and 512 characters; else nullopt.
std::optional<std::string> valid_tracestate(std::string_view header);

std::string random_trace_id();
std::string random_span_id();
// The caller's context from its headers: nullopt when traceparent is missing or invalid (the
// receiver then starts a new trace); an invalid tracestate alone is dropped.
std::optional<TraceContext> incoming_context(const std::optional<std::string>& traceparent,
                                             const std::optional<std::string>& tracestate);

}  // namespace rt::trace
