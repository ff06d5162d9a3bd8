// The ask and fanout tools: orders built from the arguments and the roster, answers as results.
#include <algorithm>

#include "roundtable/cli/mcp/tools.hpp"
#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::cli::mcp {

using nlohmann::json;

namespace {

std::string text_argument(const json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<std::vector<std::string>> list_argument(const json& args, const char* key) {
  std::vector<std::string> out;
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return out;
  if (!it->is_array()) return make_error(ErrorCode::invalid_params, std::string(key) + " must be a list of names");
  for (const auto& item : *it) {
    if (!item.is_string()) return make_error(ErrorCode::invalid_params, std::string(key) + " must be a list of names");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<json> params_argument(const json& args) {
  auto it = args.find("params");
  if (it == args.end() || it->is_null()) return json::object();
  if (!it->is_object()) return make_error(ErrorCode::invalid_params, "params must be a JSON object");
  return *it;
}

std::string known_names(const std::vector<Knight>& roster) {
  std::vector<std::string> names;
  for (const auto& k : roster) names.push_back(k.entry.agent);
  return names.empty() ? "none has sent a heartbeat" : "knights: " + join(names, ", ");
}

// The knight of that name on the roster, live: otherwise why not, as the tool's error text.
Result<const Knight*> live_knight(const std::vector<Knight>& roster, const std::string& name, const std::string& fleet) {
  auto it = std::find_if(roster.begin(), roster.end(), [&](const Knight& k) { return k.entry.agent == name; });
  if (it == roster.end()) return make_error(ErrorCode::not_found, "no knight named '" + name + "' in fleet " + fleet + " (" + known_names(roster) + ")");
  if (it->entry.status == "stale")
    return make_error(ErrorCode::unavailable, "knight '" + name + "' is stale: its last heartbeat is " + std::to_string(it->entry.age_seconds) +
                                                  "s old, so nobody would take the task");
  if (it->entry.domains.empty()) return make_error(ErrorCode::not_found, "knight '" + name + "' announces no domain in its heartbeat");
  return &*it;
}

// ask's task and target: the order to send, or why not.
Result<nats::TaskOrder> ask_order(const json& args, Fleet& fleet) {
  std::string task = text_argument(args, "task"), domain = text_argument(args, "domain"), knight = text_argument(args, "knight");
  if (task.empty()) return make_error(ErrorCode::invalid_params, "task is required: the action (briefing) or <domain>.<action>");
  std::string action = task;
  if (auto name = contract::parse_task_name(task)) {
    if (!domain.empty() && domain != name->domain)
      return make_error(ErrorCode::invalid_params, "task " + task + " is in domain " + name->domain + ", not " + domain);
    domain = name->domain;
    action = name->action;
  }
  nats::TaskOrder order;
  if (!knight.empty()) {
    auto roster = fleet.roster();
    if (!roster) return roster.error();
    auto found = live_knight(*roster, knight, fleet.name());
    if (!found) return found.error();
    const auto& domains = (*found)->entry.domains;
    if (domain.empty() && domains.size() > 1)
      return make_error(ErrorCode::invalid_params, "knight " + knight + " serves several domains (" + join(domains, ", ") + "): name one");
    if (domain.empty()) domain = domains.front();
    if (std::find(domains.begin(), domains.end(), domain) == domains.end())
      return make_error(ErrorCode::invalid_params, "knight " + knight + " does not serve domain " + domain + " (it serves " + join(domains, ", ") + ")");
    order.to = knight;
  }
  if (domain.empty()) return make_error(ErrorCode::invalid_params, "name a knight or a domain, or give task as <domain>.<action>");
  order.task = domain + "." + action;
  if (!contract::parse_task_name(order.task))
    return make_error(ErrorCode::invalid_params, "'" + order.task + "' is not <domain>.<action> (lower-case letters, digits and '-')");
  auto params = params_argument(args);
  if (!params) return params.error();
  order.params = std::move(*params);
  if (auto priority = args.find("priority"); priority != args.end() && !priority->is_null()) {
    auto parsed = priority->is_string() ? contract::parse_priority(priority->get<std::string>()) : std::nullopt;
    if (!parsed) return make_error(ErrorCode::invalid_params, "priority must be low, normal, high or critical");
    order.priority = *parsed;
  }
  return order;
}

// fanout's orders: one per domain, one per knight (its first domain), or one per live knight.
Result<std::vector<nats::TaskOrder>> fanout_orders(const json& args, Fleet& fleet) {
  std::string action = text_argument(args, "task");
  if (action.empty() || action.find('.') != std::string::npos)
    return make_error(ErrorCode::invalid_params, "task is required and is the action alone (briefing): each knight gets <its domain>." +
                                                     std::string(action.empty() ? "<task>" : "<action>"));
  auto domains = list_argument(args, "domains");
  if (!domains) return domains.error();
  auto knights = list_argument(args, "knights");
  if (!knights) return knights.error();
  auto params = params_argument(args);
  if (!params) return params.error();
  std::vector<nats::TaskOrder> orders;
  for (const auto& domain : *domains) orders.push_back({domain + "." + action, *params, contract::Priority::normal, std::nullopt, std::nullopt});
  if (!knights->empty() || domains->empty()) {
    auto roster = fleet.roster();
    if (!roster) return roster.error();
    if (knights->empty())
      for (const auto& k : *roster)
        if (k.entry.status != "stale" && !k.entry.domains.empty()) knights->push_back(k.entry.agent);
    if (knights->empty()) return make_error(ErrorCode::not_found, "no live knight in fleet " + fleet.name() + " (" + known_names(*roster) + ")");
    for (const auto& name : *knights) {
      auto found = live_knight(*roster, name, fleet.name());
      if (!found) return found.error();
      orders.push_back({(*found)->entry.domains.front() + "." + action, *params, contract::Priority::normal, name, std::nullopt});
    }
  }
  for (const auto& order : orders)
    if (!contract::parse_task_name(order.task))
      return make_error(ErrorCode::invalid_params, "'" + order.task + "' is not <domain>.<action> (lower-case letters, digits and '-')");
  return orders;
}

std::string heading(const json& answer) {
  std::string who = answer.value("agent", "");
  return "## " + (who.empty() ? std::string("?") : who) + " — " + answer.value("task", "") + ": " + answer.value("status", "") + " (" +
         std::to_string(answer.value("elapsedMs", 0)) + " ms)";
}

}  // namespace

json Tools::answer_json(const nats::TaskAnswer& answer, bool cancelled) const {
  json out = cli::to_json(answer);
  out.erase("envelope");
  if (answer.agent.empty()) out.erase("agent");
  out["resourceUri"] = result_uri(answer.task_id);
  if (!answer.answered) {
    out["status"] = cancelled ? "cancelled" : "timeout";
    out["error"] = cancelled ? "cancelled" : "timeout";
    out["message"] = cancelled ? "the call was cancelled before an answer came" : "no answer within the deadline";
  }
  if (answer.completed && answer.envelope.contains("payload") && answer.envelope["payload"].is_object()) {
    const json& payload = answer.envelope["payload"];
    if (payload.contains("result") && payload["result"].is_object() && payload["result"].contains("metadata") &&
        payload["result"]["metadata"].is_object())
      out["metadata"] = payload["result"]["metadata"];
  }
  return out;
}

json Tools::ask(const json& args, const CallContext& context) {
  auto deadline = deadline_of(args);
  if (!deadline) return tool_error(deadline.error().message);
  auto order = ask_order(args, fleet_);
  if (!order) return tool_error(order.error().message);
  auto answers = fleet_.run({*order}, *deadline, context);
  if (!answers) return tool_error(answers.error().message);
  const auto& answer = answers->front();
  results_.add(answer);
  json structured = answer_json(answer, context.is_cancelled());
  std::string text;
  if (answer.completed) {
    text = answer.content();
  } else if (answer.answered) {
    text = (answer.agent.empty() ? std::string("the knight") : answer.agent) + " could not do " + answer.task + ": " + answer.content() +
           " (task " + answer.task_id + ")";
  } else if (context.is_cancelled()) {
    text = "cancelled while waiting for " + answer.task + " (task " + answer.task_id + ")";
  } else {
    text = "no answer to " + answer.task + " within " + format_duration(*deadline) + " (task " + answer.task_id +
           "); a late answer can still be read as " + result_uri(answer.task_id);
  }
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"structuredContent", structured}, {"isError", !answer.completed}};
}

json Tools::fanout(const json& args, const CallContext& context) {
  auto deadline = deadline_of(args);
  if (!deadline) return tool_error(deadline.error().message);
  auto orders = fanout_orders(args, fleet_);
  if (!orders) return tool_error(orders.error().message);
  if (orders->size() > limits_.max_fanout)
    return tool_error(std::to_string(orders->size()) + " tasks are more than one fanout may send (" + std::to_string(limits_.max_fanout) + ")");
  auto answers = fleet_.run(*orders, *deadline, context);
  if (!answers) return tool_error(answers.error().message);
  json list = json::array();
  std::string text;
  size_t completed = 0;
  for (const auto& answer : *answers) {
    results_.add(answer);
    json one = answer_json(answer, context.is_cancelled());
    text += heading(one) + "\n" + (answer.completed ? answer.content() : one.value("error", "") + ": " + one.value("message", "")) + "\n\n";
    completed += answer.completed ? 1 : 0;
    list.push_back(std::move(one));
  }
  text += std::to_string(completed) + " of " + std::to_string(answers->size()) + " knights answered.";
  json structured = {{"answers", list}, {"completed", completed}, {"total", answers->size()}, {"ok", completed == answers->size()}};
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"structuredContent", structured}, {"isError", completed == 0}};
}

}  // namespace rt::cli::mcp
