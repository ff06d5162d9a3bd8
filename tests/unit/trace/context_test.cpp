// W3C traceparent/tracestate: strict parsing of hostile headers, and formatting.
#include <gtest/gtest.h>

#include "roundtable/trace/context.hpp"
#include "roundtable/trace/span.hpp"

namespace rt::trace {
namespace {

constexpr const char* kGood = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContext, ParsesAValidVersion00Header) {
  auto context = parse_traceparent(kGood);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(context->sampled);
  EXPECT_EQ(context->traceparent(), kGood);
  auto unsampled = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->sampled);
}

TEST(TraceContext, RefusesHostileHeaders) {
  for (const char* bad : {
           "",
           "00",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero span id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // forbidden version
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // not v00
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // trailing data
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",   // misplaced dash
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",   // not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
       })
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  std::string nul(kGood);
  nul[10] = '\0';
  EXPECT_FALSE(parse_traceparent(nul));
  EXPECT_FALSE(parse_traceparent(std::string(100000, 'a')));
}

TEST(TraceContext, TracestateIsKeptVerbatimOnlyWhenValid) {
  EXPECT_EQ(valid_tracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  EXPECT_EQ(valid_tracestate("tenant@vendor=x , b=y"), "tenant@vendor=x , b=y");
  EXPECT_FALSE(valid_tracestate(""));
  EXPECT_FALSE(valid_tracestate("Upper=1"));
  EXPECT_FALSE(valid_tracestate("novalue"));
  EXPECT_FALSE(valid_tracestate("a=b=c"));
  EXPECT_FALSE(valid_tracestate("a=\x01"));
  EXPECT_FALSE(valid_tracestate(std::string("a=") + std::string(600, 'x')));
  std::string many;
  for (int i = 0; i < 33; ++i) many += (many.empty() ? "" : ",") + std::string("k") + std::to_string(i) + "=v";
  EXPECT_FALSE(valid_tracestate(many)) << "more than 32 members";
  many = many.substr(0, many.rfind(','));
  EXPECT_TRUE(valid_tracestate(many)) << "32 members";
}

TEST(TraceContext, BadHeaderStartsANewTraceInsteadOfFailing) {
  EXPECT_FALSE(incoming_context(std::string("garbage"), std::string("a=b")));
  auto kept = incoming_context(std::string(kGood), std::string("a=b"));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->trace_state, "a=b");
  auto dropped_state = incoming_context(std::string(kGood), std::string("BAD STATE"));
  ASSERT_TRUE(dropped_state);
  EXPECT_EQ(dropped_state->trace_state, "");
  Span root = start_span("root", SpanKind::server, std::nullopt);
  EXPECT_EQ(root.trace_id.size(), 32u);
  EXPECT_TRUE(root.parent_span_id.empty());
  Span child = start_span("child", SpanKind::client, root.context());
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.parent_span_id, root.span_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_TRUE(parse_traceparent(child.context().traceparent()));
}

}  // namespace
}  // namespace rt::trace
