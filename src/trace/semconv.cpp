#include "roundtable/trace/semconv.hpp"

#include "roundtable/common/strings.hpp"

namespace rt::trace {

namespace {
Span messaging_span(const char* operation, const char* type, SpanKind kind, const std::string& subject,
                    const std::optional<TraceContext>& parent) {
  Span span = start_span(std::string(operation) + " " + subject, kind, parent);
  span.set("messaging.system", "nats");
  span.set("messaging.operation.name", operation);
  span.set("messaging.operation.type", type);
  span.set("messaging.destination.name", subject);
  return span;
}
}  // namespace

Span publish_span(const std::string& subject, const std::optional<TraceContext>& parent) {
  return messaging_span("publish", "send", SpanKind::producer, subject, parent);
}

Span process_span(const std::string& subject, const std::optional<TraceContext>& parent) {
  return messaging_span("process", "process", SpanKind::consumer, subject, parent);
}

Span http_client_span(const std::string& method, const std::string& url, const std::optional<TraceContext>& parent) {
  Span span = start_span(method, SpanKind::client, parent);
  std::string safe = redact_url(url);
  span.set("http.request.method", method);
  span.set("url.full", safe);
  auto scheme = safe.find("://");
  if (scheme != std::string::npos) {
    std::string authority = safe.substr(scheme + 3, safe.find('/', scheme + 3) - scheme - 3);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
    auto colon = authority.rfind(':');
    span.set("server.address", authority.substr(0, colon));
    if (colon != std::string::npos) {
      try {
        span.set("server.port", static_cast<int64_t>(std::stoi(authority.substr(colon + 1))));
      } catch (const std::exception&) {
      }
    }
  }
  return span;
}

Span http_server_span(const std::string& method, const std::string& route, const std::optional<TraceContext>& parent) {
  Span span = start_span(method + " " + route, SpanKind::server, parent);
  span.set("http.request.method", method);
  span.set("http.route", route);
  span.set("url.path", route);
  return span;
}

Span llm_span(const std::string& provider, const std::string& model, const std::optional<TraceContext>& parent) {
  Span span = start_span("chat " + model, SpanKind::client, parent);
  span.set("gen_ai.operation.name", "chat");
  span.set("gen_ai.provider.name", provider);
  span.set("gen_ai.system", provider);
  span.set("gen_ai.request.model", model);
  return span;
}

Span tool_span(const std::string& tool, const std::optional<TraceContext>& parent) {
  Span span = start_span("execute_tool " + tool, SpanKind::internal, parent);
  span.set("gen_ai.operation.name", "execute_tool");
  span.set("gen_ai.tool.name", tool);
  return span;
}

}  // namespace rt::trace
