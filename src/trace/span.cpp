#include "roundtable/trace/span.hpp"

#include <algorithm>
#include <chrono>

namespace rt::trace {

Span& Span::set(std::string key, AttributeValue value) {
  for (auto& attribute : attributes)
    if (attribute.key == key) {
      attribute.value = std::move(value);
      return *this;
    }
  attributes.push_back({std::move(key), std::move(value)});
  return *this;
}

void Span::fail(std::string message) {
  status = StatusCode::error;
  status_message = std::move(message);
}

int64_t unix_nanos_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Span start_span(std::string name, SpanKind kind, const std::optional<TraceContext>& parent) {
  Span span;
  span.name = std::move(name);
  span.kind = kind;
  span.span_id = random_span_id();
  if (parent && parent->valid()) {
    span.trace_id = parent->trace_id;
    span.parent_span_id = parent->span_id;
    span.trace_state = parent->trace_state;
  } else {
    span.trace_id = random_trace_id();
  }
  span.start_unix_nanos = unix_nanos_now();
  return span;
}

void end_span(Span& span) {
  span.end_unix_nanos = std::max(unix_nanos_now(), span.start_unix_nanos);
}

}  // namespace rt::trace
