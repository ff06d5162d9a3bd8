#include "roundtable/trace/task_trace.hpp"

#include <algorithm>

#include "roundtable/trace/exporter.hpp"

namespace rt::trace {

using nlohmann::json;

namespace {
constexpr size_t kMaxSteps = 256;  // a result stays small whatever the loop did
constexpr int64_t kNanosPerMs = 1'000'000;

template <typename T>
std::optional<T> field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->get<std::string>();
  } else if constexpr (std::is_same_v<T, double>) {
    if (it->is_number()) return it->get<double>();
  } else {
    if (it->is_number_integer()) return std::clamp<int64_t>(it->get<int64_t>(), 0, int64_t{1} << 50);
  }
  return std::nullopt;
}
}  // namespace

json to_json(const Step& step) {
  json out = {{"name", step.name}, {"kind", step.kind}, {"startMs", step.start_ms}, {"durationMs", step.duration_ms}};
  if (step.model) out["model"] = *step.model;
  if (step.input_tokens || step.output_tokens) out["inputTokens"] = step.input_tokens, out["outputTokens"] = step.output_tokens;
  if (step.cost_usd) out["costUsd"] = *step.cost_usd;
  if (step.finish_reason) out["finishReason"] = *step.finish_reason;
  if (step.error) out["error"] = *step.error;
  if (!step.span_id.empty()) out["spanId"] = step.span_id;
  return out;
}

std::vector<Step> steps_from_json(const json& steps) {
  std::vector<Step> out;
  if (!steps.is_array()) return out;
  for (const auto& item : steps) {
    if (!item.is_object() || out.size() >= kMaxSteps) continue;
    Step step;
    step.name = field<std::string>(item, "name").value_or("?");
    step.kind = field<std::string>(item, "kind").value_or("");
    step.start_ms = field<int64_t>(item, "startMs").value_or(0);
    step.duration_ms = field<int64_t>(item, "durationMs").value_or(0);
    step.model = field<std::string>(item, "model");
    step.input_tokens = field<int64_t>(item, "inputTokens").value_or(0);
    step.output_tokens = field<int64_t>(item, "outputTokens").value_or(0);
    step.cost_usd = field<double>(item, "costUsd");
    step.finish_reason = field<std::string>(item, "finishReason");
    step.error = field<std::string>(item, "error");
    step.span_id = field<std::string>(item, "spanId").value_or("");
    out.push_back(std::move(step));
  }
  return out;
}

TaskTrace::TaskTrace(Exporter* exporter, TraceContext parent)
    : exporter_(exporter), parent_(std::move(parent)), started_unix_nanos_(unix_nanos_now()) {}

void TaskTrace::finish(Span span, Step step) {
  end_span(span);
  step.start_ms = std::max<int64_t>(0, (span.start_unix_nanos - started_unix_nanos_) / kNanosPerMs);
  step.duration_ms = (span.end_unix_nanos - span.start_unix_nanos) / kNanosPerMs;
  step.span_id = span.span_id;
  if (span.status == StatusCode::error && !step.error) step.error = span.status_message;
  {
    std::lock_guard lock(mutex_);
    if (steps_.size() < kMaxSteps) steps_.push_back(std::move(step));
  }
  send(std::move(span));
}

void TaskTrace::send(Span span) {
  if (exporter_) exporter_->record(std::move(span));
}

json TaskTrace::steps_json() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& step : steps_) out.push_back(to_json(step));
  return out;
}

}  // namespace rt::trace
