#pragma once
// Spans named and attributed per the OpenTelemetry semantic conventions (messaging, HTTP, GenAI),
// so every process starts the same kinds of span the same way.
#include <optional>
#include <string>

#include "roundtable/trace/span.hpp"

namespace rt::trace {

// "publish <subject>" (producer): a task put on NATS.
Span publish_span(const std::string& subject, const std::optional<TraceContext>& parent);
// "process <subject>" (consumer): one delivery (attempt) of a task handled by a bridge.
Span process_span(const std::string& subject, const std::optional<TraceContext>& parent);
// "<METHOD>" (client) to `url` (no user info kept).
Span http_client_span(const std::string& method, const std::string& url, const std::optional<TraceContext>& parent);
// "<METHOD> <route>" (server).
Span http_server_span(const std::string& method, const std::string& route, const std::optional<TraceContext>& parent);
// "chat <model>" (client): one LLM call. The provider is gen_ai.provider.name (and gen_ai.system).
Span llm_span(const std::string& provider, const std::string& model, const std::optional<TraceContext>& parent);
// "execute_tool <name>" (internal).
Span tool_span(const std::string& tool, const std::optional<TraceContext>& parent);

}  // namespace rt::trace
