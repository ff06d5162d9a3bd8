#include "roundtable/trace/propagation.hpp"

#include "roundtable/common/uuid.hpp"

namespace rt::trace {

using nlohmann::json;

std::vector<std::pair<std::string, std::string>> headers_for(const TraceContext& context) {
  std::vector<std::pair<std::string, std::string>> headers{{kTraceparentHeader, context.traceparent()}};
  if (!context.trace_state.empty()) headers.emplace_back(kTracestateHeader, context.trace_state);
  return headers;
}

json trace_field(const TraceContext& context) {
  json field = {{"traceparent", context.traceparent()}};
  if (!context.trace_state.empty()) field["tracestate"] = context.trace_state;
  return field;
}

std::optional<TraceContext> trace_of(const json& envelope) {
  if (!envelope.is_object()) return std::nullopt;
  auto it = envelope.find("trace");
  if (it == envelope.end() || !it->is_object()) return std::nullopt;
  auto parent = it->find("traceparent");
  if (parent == it->end() || !parent->is_string()) return std::nullopt;
  std::optional<std::string> state;
  if (auto s = it->find("tracestate"); s != it->end() && s->is_string()) state = s->get<std::string>();
  return incoming_context(parent->get<std::string>(), state);
}

std::optional<std::string> parent_task_id_of(const json& envelope) {
  if (!envelope.is_object()) return std::nullopt;
  auto it = envelope.find("parentTaskId");
  if (it == envelope.end() || !it->is_string() || !is_uuid_v4(it->get_ref<const std::string&>())) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace rt::trace
