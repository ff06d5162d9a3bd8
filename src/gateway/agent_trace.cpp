#include "roundtable/gateway/agent_trace.hpp"

#include <httplib.h>

#include "roundtable/contract/errors.hpp"
#include "roundtable/trace/semconv.hpp"

namespace rt::gateway {

std::optional<trace::Span> begin_llm_call(const TraceHandle& trace, const std::string& provider, const llm::Request& request) {
  if (!trace) return std::nullopt;
  trace::Span span = trace::llm_span(provider, request.model, trace->parent());
  span.set("gen_ai.request.max_tokens", static_cast<int64_t>(request.max_tokens));
  if (request.temperature) span.set("gen_ai.request.temperature", *request.temperature);
  return span;
}

void end_llm_call(const TraceHandle& trace, std::optional<trace::Span> span, const llm::Request& request, const llm::Outcome& outcome) {
  if (!trace || !span) return;
  trace::Step step;
  step.kind = "llm";
  step.name = span->name;
  step.model = request.model;
  if (outcome.ok()) {
    const auto& response = *outcome.response;
    std::string model = response.model.empty() ? request.model : response.model;
    span->set("gen_ai.response.model", model);
    span->set("gen_ai.usage.input_tokens", response.usage.input_tokens);
    span->set("gen_ai.usage.output_tokens", response.usage.output_tokens);
    if (!response.stop_reason.empty()) span->set("gen_ai.response.finish_reasons", std::vector<std::string>{response.stop_reason});
    step.model = model;
    step.input_tokens = response.usage.input_tokens;
    step.output_tokens = response.usage.output_tokens;
    if (response.usage.cost_known) step.cost_usd = static_cast<double>(response.usage.cost_micro_usd) / 1e6;
    if (!response.stop_reason.empty()) step.finish_reason = response.stop_reason;
  } else {
    span->set("error.type", std::string(contract::error_code_name(outcome.failure.code)));
    if (outcome.failure.http_status) span->set("http.response.status_code", outcome.failure.http_status);
    span->fail(std::string(contract::error_code_name(outcome.failure.code)));
  }
  trace->finish(std::move(*span), std::move(step));
}

std::optional<trace::Span> begin_tool_call(const TraceHandle& trace, const std::string& tool) {
  if (!trace) return std::nullopt;
  return trace::tool_span(tool, trace->parent());
}

void end_tool_call(const TraceHandle& trace, std::optional<trace::Span> span, const ToolResult& result) {
  if (!trace || !span) return;
  trace::Step step;
  step.kind = "tool";
  step.name = span->name;
  if (result.is_error) span->fail("the tool reported an error");  // never its text: it may quote the task
  trace->finish(std::move(*span), std::move(step));
}

std::optional<trace::TraceContext> context_of(const std::optional<trace::Span>& span) {
  if (!span) return std::nullopt;
  return span->context();
}

std::shared_ptr<RequestTrace> start_request_trace(trace::Exporter* exporter, const httplib::Request& request, const std::string& route,
                                                  const std::string& task_id, int attempt) {
  auto header = [&](const char* name) -> std::optional<std::string> {
    if (!request.has_header(name)) return std::nullopt;
    return request.get_header_value(name);
  };
  auto incoming = trace::incoming_context(header("traceparent"), header("tracestate"));
  auto traced = std::make_shared<RequestTrace>();
  traced->span = trace::http_server_span(request.method, route, incoming);
  traced->span.set("roundtable.task.id", task_id);
  traced->span.set("roundtable.attempt", attempt);
  traced->steps = std::make_shared<trace::TaskTrace>(exporter, traced->span.context());
  return traced;
}

void finish_request_trace(RequestTrace& traced, AgentAnswer& answer, trace::Exporter* exporter) {
  traced.span.set("http.response.status_code", 200);
  if (answer.completed) {
    answer.result.metadata.extra["steps"] = traced.steps->steps_json();
    traced.span.status = trace::StatusCode::ok;
  } else {
    traced.span.set("error.type", std::string(contract::error_code_name(answer.failure.error)));
    traced.span.fail(std::string(contract::error_code_name(answer.failure.error)));
  }
  trace::end_span(traced.span);
  if (exporter) exporter->record(traced.span);
}

}  // namespace rt::gateway
