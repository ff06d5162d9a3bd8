#pragma once
// OTLP/HTTP JSON encoding of spans (ExportTraceServiceRequest, per the OTLP JSON mapping).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/trace/span.hpp"

namespace rt::trace {

struct Resource {
  std::vector<Attribute> attributes;  // service.name first
};

nlohmann::json otlp_attribute(const Attribute& attribute);
nlohmann::json otlp_span(const Span& span);
// One request body for /v1/traces: one resource, one instrumentation scope, these spans.
nlohmann::json otlp_export_request(const Resource& resource, const std::vector<Span>& spans);

}  // namespace rt::trace
