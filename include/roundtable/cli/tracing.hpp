#pragma once
// The CLI's side of tracing: where its spans go (the OTEL_* settings it reads from the
// environment) and the spans of tasks it publishes.
#include <memory>
#include <optional>
#include <string>

#include "roundtable/config/settings.hpp"
#include "roundtable/nats/task_client.hpp"
#include "roundtable/trace/exporter.hpp"
#include "roundtable/trace/semconv.hpp"

namespace rt::cli {

std::unique_ptr<trace::Exporter> cli_exporter(const config::Settings& settings);

// Publishes one task under a "publish <subject>" span (a child of `parent`, or the root of a new
// trace), carrying its context in the traceparent header; the span is sent to `exporter`.
Result<std::string> send_traced(nats::TaskClient& client, const std::string& fleet, const nats::TaskOrder& order,
                                nats::SendOptions options, const std::optional<trace::TraceContext>& parent,
                                trace::Exporter& exporter, std::string* trace_id = nullptr);

}  // namespace rt::cli
