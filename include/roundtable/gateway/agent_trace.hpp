#pragma once
// The gateway's spans (docs/observability.md): one HTTP server span per /webhook request, a GenAI
// "chat <model>" span per LLM call and an "execute_tool <name>" span per tool call, children of
// the request's span. Each call also becomes a step in the result's metadata (`steps`). Nothing
// here records prompt or answer text. Without a traced conversation every function does nothing.
#include <memory>
#include <optional>
#include <string>

#include "roundtable/gateway/agent.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/llm/types.hpp"
#include "roundtable/trace/exporter.hpp"
#include "roundtable/trace/task_trace.hpp"

namespace httplib {
struct Request;
}  // namespace httplib

namespace rt::gateway {

using TraceHandle = std::shared_ptr<trace::TaskTrace>;

std::optional<trace::Span> begin_llm_call(const TraceHandle& trace, const std::string& provider, const llm::Request& request);
void end_llm_call(const TraceHandle& trace, std::optional<trace::Span> span, const llm::Request& request, const llm::Outcome& outcome);
std::optional<trace::Span> begin_tool_call(const TraceHandle& trace, const std::string& tool);
void end_tool_call(const TraceHandle& trace, std::optional<trace::Span> span, const ToolResult& result);
// The context a tool passes on (the delegate tool: to the tasks it publishes).
std::optional<trace::TraceContext> context_of(const std::optional<trace::Span>& span);

// One traced HTTP request: its server span (a child of the caller's traceparent header, or the
// root of a new trace) and the steps recorded under it.
struct RequestTrace {
  trace::Span span;
  TraceHandle steps;
};
std::shared_ptr<RequestTrace> start_request_trace(trace::Exporter* exporter, const httplib::Request& request, const std::string& route,
                                                  const std::string& task_id, int attempt);
// Puts the steps in the answer's metadata, ends the span with the answer's status, and sends it.
void finish_request_trace(RequestTrace& trace, AgentAnswer& answer, trace::Exporter* exporter);

}  // namespace rt::gateway
