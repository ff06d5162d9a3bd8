// The exporter against a real OTLP receiver: batches are accepted; with the collector down,
// spans are dropped and counted and record() never blocks.
#include <gtest/gtest.h>

#include "fixtures/await.hpp"
#include "fixtures/otlp_receiver.hpp"
#include "roundtable/trace/exporter.hpp"

namespace rt::trace {
namespace {

Span finished(const std::string& name, const std::optional<TraceContext>& parent) {
  Span span = start_span(name, SpanKind::client, parent);
  span.set("gen_ai.operation.name", "chat");
  span.set("gen_ai.usage.input_tokens", int64_t{42});
  span.set("gen_ai.response.finish_reasons", std::vector<std::string>{"stop"});
  span.set("cost", 0.125);
  end_span(span);
  return span;
}

TEST(TraceExporter, ARealReceiverAcceptsTheBatches) {
  testing::OtlpReceiver receiver;
  http::MetricsRegistry metrics;
  auto settings = exporter_settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()}, {"OTEL_EXPORTER_OTLP_HEADERS", "x-test=yes"}},
                                    "unit-test");
  Span root = finished("root", std::nullopt);
  {
    Exporter exporter(settings, Logger(), &metrics, "roundtable_test_spans_dropped_total");
    exporter.record(root);
    for (int i = 0; i < 5; ++i) exporter.record(finished("child " + std::to_string(i), root.context()));
    exporter.flush(std::chrono::seconds(20));
    EXPECT_EQ(exporter.exported(), 6u);
    EXPECT_EQ(exporter.dropped(), 0u);
  }
  EXPECT_TRUE(receiver.rejections().empty()) << receiver.rejections().front();
  auto spans = receiver.spans();
  ASSERT_EQ(spans.size(), 6u) << receiver.output();
  for (const auto& span : spans) {
    EXPECT_EQ(span["traceId"], root.trace_id);
    EXPECT_EQ(span["service"], "unit-test");
    if (span["name"] != "root") {
      EXPECT_EQ(span["parentSpanId"], root.span_id);
    }
  }
}

TEST(TraceExporter, CollectorDownDropsAndCountsWithoutBlocking) {
  http::MetricsRegistry metrics;
  auto settings = exporter_settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(free_port())}}, "unit-test");
  settings.max_queue = 8;
  Exporter exporter(settings, Logger(), &metrics, "roundtable_test_spans_dropped_total");
  for (int i = 0; i < 100; ++i) exporter.record(finished("span", std::nullopt));  // never waits for the collector
  exporter.flush(std::chrono::seconds(20));
  EXPECT_EQ(exporter.exported(), 0u);
  EXPECT_EQ(exporter.dropped(), 100u) << "full queue and failed posts both count";
  EXPECT_EQ(metrics.value("roundtable_test_spans_dropped_total"), 100.0);
}

TEST(TraceExporter, NoEndpointMeansNoExportAndNoThread) {
  Exporter exporter(exporter_settings({}, "unit-test"), Logger());
  EXPECT_FALSE(exporter.enabled());
  exporter.record(finished("span", std::nullopt));
  EXPECT_EQ(exporter.dropped(), 0u);
  EXPECT_EQ(exporter.exported(), 0u);
}

}  // namespace
}  // namespace rt::trace
