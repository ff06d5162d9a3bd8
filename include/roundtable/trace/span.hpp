#pragma once
// One finished or running span, as OpenTelemetry models it (kind, times, attributes, status).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "roundtable/trace/context.hpp"

namespace rt::trace {

// Numbered as OTLP's Span.SpanKind.
enum class SpanKind { internal = 1, server = 2, client = 3, producer = 4, consumer = 5 };
// Numbered as OTLP's Status.StatusCode.
enum class StatusCode { unset = 0, ok = 1, error = 2 };

using AttributeValue = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;
struct Attribute {
  std::string key;
  AttributeValue value;
};

struct Span {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // empty for a root span
  std::string trace_state;
  std::string name;
  SpanKind kind = SpanKind::internal;
  int64_t start_unix_nanos = 0;
  int64_t end_unix_nanos = 0;
  std::vector<Attribute> attributes;
  StatusCode status = StatusCode::unset;
  std::string status_message;

  // What a child (or the next hop, in a traceparent) names as its parent.
  TraceContext context() const { return TraceContext{trace_id, span_id, true, trace_state}; }
  Span& set(std::string key, AttributeValue value);
  Span& set(std::string key, const char* value) { return set(std::move(key), AttributeValue(std::string(value))); }
  Span& set(std::string key, std::string value) { return set(std::move(key), AttributeValue(std::move(value))); }
  Span& set(std::string key, int value) { return set(std::move(key), AttributeValue(static_cast<int64_t>(value))); }
  Span& set(std::string key, int64_t value) { return set(std::move(key), AttributeValue(value)); }
  Span& set(std::string key, double value) { return set(std::move(key), AttributeValue(value)); }
  Span& set(std::string key, bool value) { return set(std::move(key), AttributeValue(value)); }
  Span& set(std::string key, std::vector<std::string> value) { return set(std::move(key), AttributeValue(std::move(value))); }
  void fail(std::string message);
};

int64_t unix_nanos_now();
// A running span: a child of `parent`, or the root of a new trace when there is none.
Span start_span(std::string name, SpanKind kind, const std::optional<TraceContext>& parent);
void end_span(Span& span);

}  // namespace rt::trace
