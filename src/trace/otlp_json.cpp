// Why this is hand-written: Debian 12 packages no OpenTelemetry C++ SDK (nor protobuf-generated
// OTLP types for C++), and the project builds only from Debian packages. The OTLP JSON mapping is
// small and stable, so this file encodes it directly, and tests/unit/trace plus
// tests/interop/trace_otlp_receiver.mjs check it against the OpenTelemetry JS SDK's own OTLP
// proto schema (@opentelemetry/otlp-transformer) so that a real receiver accepts it.
//
// The mapping: trace and span ids as lowercase hex strings (not base64), enums as integers,
// 64-bit integers (times, intValue) as decimal strings, attribute values as AnyValue objects.
#include "roundtable/trace/otlp_json.hpp"

namespace rt::trace {

using nlohmann::json;

namespace {

json any_value(const AttributeValue& value) {
  struct Visitor {
    json operator()(const std::string& text) const { return {{"stringValue", text}}; }
    json operator()(int64_t number) const { return {{"intValue", std::to_string(number)}}; }
    json operator()(double number) const { return {{"doubleValue", number}}; }
    json operator()(bool flag) const { return {{"boolValue", flag}}; }
    json operator()(const std::vector<std::string>& list) const {
      json values = json::array();
      for (const auto& item : list) values.push_back({{"stringValue", item}});
      return {{"arrayValue", {{"values", values}}}};
    }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace

json otlp_attribute(const Attribute& attribute) { return {{"key", attribute.key}, {"value", any_value(attribute.value)}}; }

json otlp_span(const Span& span) {
  json attributes = json::array();
  for (const auto& attribute : span.attributes) attributes.push_back(otlp_attribute(attribute));
  json out = {{"traceId", span.trace_id},
              {"spanId", span.span_id},
              {"name", span.name},
              {"kind", static_cast<int>(span.kind)},
              {"startTimeUnixNano", std::to_string(span.start_unix_nanos)},
              {"endTimeUnixNano", std::to_string(span.end_unix_nanos)},
              {"attributes", attributes},
              {"status", {{"code", static_cast<int>(span.status)}}}};
  if (!span.parent_span_id.empty()) out["parentSpanId"] = span.parent_span_id;
  if (!span.trace_state.empty()) out["traceState"] = span.trace_state;
  if (!span.status_message.empty()) out["status"]["message"] = span.status_message;
  return out;
}

json otlp_export_request(const Resource& resource, const std::vector<Span>& spans) {
  json resource_attributes = json::array();
  for (const auto& attribute : resource.attributes) resource_attributes.push_back(otlp_attribute(attribute));
  json encoded = json::array();
  for (const auto& span : spans) encoded.push_back(otlp_span(span));
  return {{"resourceSpans",
           json::array({{{"resource", {{"attributes", resource_attributes}}},
                         {"scopeSpans", json::array({{{"scope", {{"name", "roundtable"}, {"version", RT_VERSION}}},
                                                      {"spans", encoded}}})}}})}};
}

}  // namespace rt::trace
