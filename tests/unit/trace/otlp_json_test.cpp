// The OTLP JSON encoding (ids as hex, enums as integers, 64-bit numbers as strings) and the
// settings read from the standard OTEL_* variables.
#include <gtest/gtest.h>

#include "roundtable/trace/otlp_json.hpp"
#include "roundtable/trace/settings.hpp"

namespace rt::trace {
namespace {

using nlohmann::json;

Span sample_span() {
  Span span;
  span.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  span.span_id = "00f067aa0ba902b7";
  span.parent_span_id = "1111111111111111";
  span.trace_state = "rojo=1";
  span.name = "chat claude";
  span.kind = SpanKind::client;
  span.start_unix_nanos = 1'700'000'000'123'456'789;
  span.end_unix_nanos = 1'700'000'001'000'000'000;
  span.set("gen_ai.usage.input_tokens", int64_t{9'007'199'254'740'993});  // beyond a double's exact range
  span.set("gen_ai.request.model", "claude");
  span.set("ratio", 0.25);
  span.set("ok", true);
  span.set("gen_ai.response.finish_reasons", std::vector<std::string>{"stop"});
  span.fail("model_error: boom");
  return span;
}

TEST(OtlpJson, SpanFollowsTheJsonMapping) {
  json encoded = otlp_span(sample_span());
  EXPECT_EQ(encoded["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(encoded["spanId"], "00f067aa0ba902b7");
  EXPECT_EQ(encoded["parentSpanId"], "1111111111111111");
  EXPECT_EQ(encoded["traceState"], "rojo=1");
  EXPECT_EQ(encoded["kind"], 3);
  EXPECT_EQ(encoded["startTimeUnixNano"], "1700000000123456789");
  EXPECT_EQ(encoded["endTimeUnixNano"], "1700000001000000000");
  EXPECT_EQ(encoded["status"], (json{{"code", 2}, {"message", "model_error: boom"}}));
  std::map<std::string, json> by_key;
  for (const auto& kv : encoded["attributes"]) by_key[kv["key"]] = kv["value"];
  EXPECT_EQ(by_key["gen_ai.usage.input_tokens"], (json{{"intValue", "9007199254740993"}}));
  EXPECT_EQ(by_key["gen_ai.request.model"], (json{{"stringValue", "claude"}}));
  EXPECT_EQ(by_key["ratio"], (json{{"doubleValue", 0.25}}));
  EXPECT_EQ(by_key["ok"], (json{{"boolValue", true}}));
  EXPECT_EQ(by_key["gen_ai.response.finish_reasons"], json::parse(R"({"arrayValue":{"values":[{"stringValue":"stop"}]}})"));
}

TEST(OtlpJson, RootSpanHasNoParentAndUnsetStatusHasNoMessage) {
  Span span = sample_span();
  span.parent_span_id.clear();
  span.trace_state.clear();
  span.status = StatusCode::unset;
  span.status_message.clear();
  json encoded = otlp_span(span);
  EXPECT_FALSE(encoded.contains("parentSpanId"));
  EXPECT_FALSE(encoded.contains("traceState"));
  EXPECT_EQ(encoded["status"], (json{{"code", 0}}));
}

TEST(OtlpJson, RequestHasOneResourceAndScope) {
  Resource resource{{{"service.name", std::string("nats-bridge")}}};
  json request = otlp_export_request(resource, {sample_span(), sample_span()});
  ASSERT_EQ(request["resourceSpans"].size(), 1u);
  const json& rs = request["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0], json::parse(R"({"key":"service.name","value":{"stringValue":"nats-bridge"}})"));
  EXPECT_EQ(rs["scopeSpans"][0]["scope"]["name"], "roundtable");
  EXPECT_EQ(rs["scopeSpans"][0]["spans"].size(), 2u);
}

TEST(TraceSettings, EndpointServiceAndResourceFromTheStandardVariables) {
  auto off = exporter_settings({}, "nats-bridge");
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(std::get<std::string>(off.resource.attributes[0].value), "nats-bridge");

  auto s = exporter_settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"},
                              {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=se%20cret, x-tenant = blue"},
                              {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,team=round%2Ctable,broken"},
                              {"OTEL_SERVICE_NAME", "galahad-bridge"}},
                             "nats-bridge");
  EXPECT_EQ(s.endpoint, "http://collector:4318/v1/traces");
  ASSERT_EQ(s.headers.size(), 2u);
  EXPECT_EQ(s.headers[0], (std::pair<std::string, std::string>{"api-key", "se cret"}));
  EXPECT_EQ(s.headers[1], (std::pair<std::string, std::string>{"x-tenant", "blue"}));
  std::map<std::string, std::string> attributes;
  for (const auto& a : s.resource.attributes) attributes[a.key] = std::get<std::string>(a.value);
  EXPECT_EQ(attributes["service.name"], "galahad-bridge");
  EXPECT_EQ(attributes["deployment.environment"], "prod");
  EXPECT_EQ(attributes["team"], "round,table");
  EXPECT_EQ(attributes.count("broken"), 0u);

  auto traces = exporter_settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"}, {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9/custom"}}, "x");
  EXPECT_EQ(traces.endpoint, "http://b:9/custom") << "the traces endpoint is used as is";
  auto from_resource = exporter_settings({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=lead"}}, "knight-gateway");
  EXPECT_EQ(std::get<std::string>(from_resource.resource.attributes[0].value), "lead");
  EXPECT_FALSE(exporter_settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"}, {"OTEL_SDK_DISABLED", "true"}}, "x").enabled());
}

}  // namespace
}  // namespace rt::trace
