// The tools' descriptions and schemas, the dispatch by name, and the knights tool.
#include "roundtable/cli/mcp/tools.hpp"

#include "roundtable/common/duration.hpp"

namespace rt::cli::mcp {

using nlohmann::json;

namespace {

json answer_schema() {
  return {{"type", "object"},
          {"properties",
           {{"taskId", {{"type", "string"}}},
            {"task", {{"type", "string"}, {"description", "<domain>.<action>"}}},
            {"status", {{"type", "string"}, {"enum", {"completed", "failed", "timeout", "cancelled"}}}},
            {"agent", {{"type", "string"}, {"description", "the knight that answered"}}},
            {"elapsedMs", {{"type", "integer"}}},
            {"content", {{"type", "string"}}},
            {"error", {{"type", "string"}, {"description", "the contract's failure code, or timeout"}}},
            {"message", {{"type", "string"}}},
            {"metadata", {{"type", "object"}, {"description", "model, tokens, durationMs, attempt"}}},
            {"resourceUri", {{"type", "string"}}}}},
          {"required", {"taskId", "task", "status"}}};
}

json deadline_schema() {
  return {{"type", "string"},
          {"description", "how long to wait for the answer: 500ms, 30s, 5m (or a number of seconds); the task expires for the "
                          "knights at the same time"}};
}

json ask_tool() {
  return {{"name", "ask"},
          {"title", "Ask a knight"},
          {"description",
           "Send one task to the Round Table fleet and wait for its answer. Name the knight (see the knights tool) or the "
           "domain; task is the action (briefing) or <domain>.<action> (security.briefing). params go to the knight as they "
           "are, e.g. {\"question\": \"...\"}."},
          {"inputSchema",
           {{"type", "object"},
            {"properties",
             {{"knight", {{"type", "string"}, {"description", "the knight (agent id) to ask, e.g. galahad"}}},
              {"domain", {{"type", "string"}, {"description", "the domain to ask, e.g. security"}}},
              {"task", {{"type", "string"}, {"description", "<action> or <domain>.<action>"}}},
              {"params", {{"type", "object"}, {"description", "task parameters (a JSON object)"}}},
              {"priority", {{"type", "string"}, {"enum", {"low", "normal", "high", "critical"}}}},
              {"deadline", deadline_schema()}}},
            {"required", {"task"}}}},
          {"outputSchema", answer_schema()},
          {"annotations", {{"readOnlyHint", false}, {"destructiveHint", false}, {"openWorldHint", true}}}};
}

json fanout_tool() {
  return {{"name", "fanout"},
          {"title", "Ask many knights at once"},
          {"description",
           "Send the same task to several knights or domains in parallel and wait for all answers until the deadline. "
           "task is the action (briefing); with neither knights nor domains, every live knight is asked."},
          {"inputSchema",
           {{"type", "object"},
            {"properties",
             {{"knights", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "knights to ask"}}},
              {"domains", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "domains to ask"}}},
              {"task", {{"type", "string"}, {"description", "the action, e.g. briefing"}}},
              {"params", {{"type", "object"}, {"description", "task parameters, the same for every knight"}}},
              {"deadline", deadline_schema()}}},
            {"required", {"task"}}}},
          {"outputSchema",
           {{"type", "object"},
            {"properties",
             {{"answers", {{"type", "array"}, {"items", answer_schema()}}},
              {"completed", {{"type", "integer"}}},
              {"total", {{"type", "integer"}}},
              {"ok", {{"type", "boolean"}, {"description", "every task completed"}}}}},
            {"required", {"answers", "ok"}}}},
          {"annotations", {{"readOnlyHint", false}, {"destructiveHint", false}, {"openWorldHint", true}}}};
}

json knights_tool() {
  json knight = {{"type", "object"},
                 {"properties",
                  {{"agent", {{"type", "string"}}},
                   {"domains", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                   {"capabilities", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                   {"status", {{"type", "string"}, {"description", "healthy | degraded | unhealthy | stale"}}},
                   {"model", {{"type", "string"}}},
                   {"gateway", {{"type", "string"}}},
                   {"activeTasks", {{"type", "integer"}}},
                   {"pending", {{"type", "integer"}}},
                   {"heartbeatAgeSeconds", {{"type", "integer"}}}}},
                 {"required", {"agent", "domains", "capabilities", "status"}}};
  return {{"name", "knights"},
          {"title", "List the knights"},
          {"description",
           "The fleet's live roster from the knights' heartbeats: each knight's domains, capabilities, status, model, active "
           "and pending tasks. Stale knights (no heartbeat for 90s) are left out unless includeStale is true."},
          {"inputSchema", {{"type", "object"}, {"properties", {{"includeStale", {{"type", "boolean"}}}}}}},
          {"outputSchema",
           {{"type", "object"},
            {"properties", {{"fleet", {{"type", "string"}}}, {"knights", {{"type", "array"}, {"items", knight}}}}},
            {"required", {"fleet", "knights"}}}},
          {"annotations", {{"readOnlyHint", true}, {"openWorldHint", true}}}};
}

}  // namespace

json tool_error(const std::string& text) {
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", true}};
}

json Tools::list() const { return json::array({ask_tool(), fanout_tool(), knights_tool()}); }

Result<json> Tools::call(const std::string& name, const json& arguments, const CallContext& context) {
  const json args = arguments.is_object() ? arguments : json::object();
  if (name == "ask") return ask(args, context);
  if (name == "fanout") return fanout(args, context);
  if (name == "knights") return knights(args);
  return make_error(ErrorCode::not_found, "unknown tool '" + name + "' (tools: ask, fanout, knights)");
}

Result<std::chrono::milliseconds> Tools::deadline_of(const json& args) const {
  auto it = args.find("deadline");
  if (it == args.end() || it->is_null()) return limits_.default_deadline;
  std::optional<std::chrono::milliseconds> deadline;
  if (it->is_number() && it->get<double>() > 0 && it->get<double>() < 1e7)
    deadline = std::chrono::milliseconds(static_cast<int64_t>(it->get<double>() * 1000));
  else if (it->is_string())
    deadline = parse_duration(it->get<std::string>());
  if (!deadline || deadline->count() <= 0)
    return make_error(ErrorCode::invalid_params, "deadline must be a duration such as 30s or 5m, or a number of seconds, not " + it->dump());
  if (*deadline > limits_.max_deadline)
    return make_error(ErrorCode::invalid_params, "deadline " + format_duration(*deadline) + " is longer than the server allows (" +
                                                     format_duration(limits_.max_deadline) + ", --max-deadline)");
  return *deadline;
}

json Tools::knights(const json& args) {
  bool include_stale = args.contains("includeStale") && args["includeStale"].is_boolean() && args["includeStale"].get<bool>();
  auto roster = fleet_.roster();
  if (!roster) return tool_error(roster.error().message);
  json knights = json::array();
  std::vector<RosterEntry> shown;
  for (const auto& knight : *roster) {
    if (!include_stale && knight.entry.status == "stale") continue;
    knights.push_back(to_json(knight));
    shown.push_back(knight.entry);
  }
  std::string text = shown.empty() ? "no live knight of fleet " + fleet_.name() + " (no heartbeat in the last 90s)" : roster_table(shown);
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})},
          {"structuredContent", {{"fleet", fleet_.name()}, {"knights", knights}}},
          {"isError", false}};
}

}  // namespace rt::cli::mcp
