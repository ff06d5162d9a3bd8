#pragma once
// How a trace rides on the bus (docs/contract.md §4, Tracing): the W3C headers on NATS messages
// and HTTP requests, and the optional envelope fields `trace` and `parentTaskId`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/trace/context.hpp"

namespace rt::trace {

inline constexpr const char* kTraceparentHeader = "traceparent";
inline constexpr const char* kTracestateHeader = "tracestate";

// The headers to send for `context` (tracestate only when there is one).
std::vector<std::pair<std::string, std::string>> headers_for(const TraceContext& context);
// Envelope field `trace`: {"traceparent": "...", "tracestate": "..."}.
nlohmann::json trace_field(const TraceContext& context);
// The context in an envelope's `trace` field, when valid.
std::optional<TraceContext> trace_of(const nlohmann::json& envelope);
// `parentTaskId` of an envelope, when it is a UUID v4.
std::optional<std::string> parent_task_id_of(const nlohmann::json& envelope);

}  // namespace rt::trace
