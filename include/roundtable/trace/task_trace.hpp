#pragma once
// The tracing of one unit of work inside a process (a gateway request): the span its steps are
// children of, where finished spans go, and a compact list of the steps for the task's result
// (docs/contract.md §4, result metadata `steps`), so that `roundtable trace` can draw them from
// the bus alone.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/trace/span.hpp"

namespace rt::trace {

class Exporter;

struct Step {
  std::string name;  // "chat <model>", "execute_tool <tool>"
  std::string kind;  // llm | tool
  int64_t start_ms = 0;     // from the start of the work
  int64_t duration_ms = 0;
  std::optional<std::string> model;
  int64_t input_tokens = 0, output_tokens = 0;
  std::optional<double> cost_usd;
  std::optional<std::string> finish_reason;
  std::optional<std::string> error;
  std::string span_id;
};

nlohmann::json to_json(const Step& step);
// Steps read back from result metadata (untrusted: wrong types read as absent).
std::vector<Step> steps_from_json(const nlohmann::json& steps);

class TaskTrace {
 public:
  // `exporter` may be null (export off); `parent` is the span the steps belong under.
  TaskTrace(Exporter* exporter, TraceContext parent);

  const TraceContext& parent() const { return parent_; }
  Span start(std::string name, SpanKind kind) const { return start_span(std::move(name), kind, parent_); }
  // Ends the span, sends it, and keeps `step` (timed from the span) for the result.
  void finish(Span span, Step step);
  // Sends a span that is not a step (the request's own span).
  void send(Span span);
  nlohmann::json steps_json() const;

 private:
  Exporter* exporter_;
  TraceContext parent_;
  int64_t started_unix_nanos_;
  mutable std::mutex mutex_;
  std::vector<Step> steps_;
};

}  // namespace rt::trace
