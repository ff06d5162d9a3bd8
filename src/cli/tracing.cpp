#include "roundtable/cli/tracing.hpp"

#include "roundtable/contract/subjects.hpp"
#include "roundtable/trace/propagation.hpp"

namespace rt::cli {

std::unique_ptr<trace::Exporter> cli_exporter(const config::Settings& settings) {
  std::map<std::string, std::string> env;
  for (const auto& name : trace::otel_setting_names())
    if (auto value = settings.raw(name)) env[name] = *value;
  Logger quiet(LogSettings{"error", LogFormat::text, "cli", {}});
  return std::make_unique<trace::Exporter>(trace::exporter_settings(env, "roundtable"), quiet);
}

Result<std::string> send_traced(nats::TaskClient& client, const std::string& fleet, const nats::TaskOrder& order,
                                nats::SendOptions options, const std::optional<trace::TraceContext>& parent,
                                trace::Exporter& exporter, std::string* trace_id) {
  std::string subject = fleet + ".tasks." + order.task;
  trace::Span span = trace::publish_span(subject, parent);
  for (auto& header : trace::headers_for(span.context())) options.headers.push_back(std::move(header));
  auto id = client.send(order, options);
  if (id) span.set("messaging.message.id", *id);
  else span.fail(id.error().message);
  if (trace_id) *trace_id = span.trace_id;
  trace::end_span(span);
  exporter.record(std::move(span));
  return id;
}

}  // namespace rt::cli
