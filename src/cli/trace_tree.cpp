#include "roundtable/cli/trace_tree.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "roundtable/trace/propagation.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 16;  // delegation deeper than this is cut (and a cycle can never loop)

std::string text(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t number(const json& object, const char* key, int64_t low, int64_t high) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  double value = it->get<double>();
  return static_cast<int64_t>(std::clamp<double>(value, static_cast<double>(low), static_cast<double>(high)));
}

const json& object(const json& parent, const char* key) {
  static const json empty = json::object();
  if (!parent.is_object()) return empty;
  auto it = parent.find(key);
  return it != parent.end() && it->is_object() ? *it : empty;
}

// "<fleet>.results.<domain>.<id>" -> domain
std::string result_domain(const std::string& subject) {
  auto first = subject.find('.');
  auto second = first == std::string::npos ? first : subject.find('.', first + 1);
  auto third = second == std::string::npos ? second : subject.find('.', second + 1);
  if (third == std::string::npos) return "";
  return subject.substr(second + 1, third - second - 1);
}

bool is_result(const BusRecord& r) { return r.subject.find(".results.") != std::string::npos; }

TraceAttempt& attempt_of(TraceNode& node, int number) {
  for (auto& a : node.attempts)
    if (a.number == number) return a;
  node.attempts.push_back({number, "", std::nullopt, std::nullopt, "running"});
  return node.attempts.back();
}

void apply_result(TraceNode& node, const BusRecord& r) {
  const json& payload = object(r.envelope, "payload");
  std::string type = text(r.envelope, "type");
  node.end = r.stored;
  if (node.task.empty()) node.task = result_domain(r.subject);
  node.agent = text(r.envelope, "from");
  if (type == "task.result" && text(payload, "status") == "completed") {
    node.status = "completed";
    const json& meta = object(object(payload, "result"), "metadata");
    int attempt = static_cast<int>(std::max<int64_t>(1, number(meta, "attempt", 1, 1'000'000)));
    auto& a = attempt_of(node, attempt);
    a.end = r.stored, a.outcome = "completed";
    if (a.agent.empty()) a.agent = node.agent;
    node.model = text(meta, "model");
    node.input_tokens = number(meta, "inputTokens", 0, int64_t{1} << 40);
    node.output_tokens = number(meta, "outputTokens", 0, int64_t{1} << 40);
    if (auto it = meta.find("costUsd"); it != meta.end() && it->is_number()) node.cost_usd = std::max(0.0, it->get<double>());
    auto took = std::chrono::milliseconds(number(meta, "durationMs", 0, int64_t{30} * 86'400'000));
    if (!a.start) a.start = r.stored - took;  // answered within CLAIM_NOTICE_AFTER: no task.claimed
    GatewayWork work{r.stored - took, r.stored, trace::steps_from_json(meta.contains("steps") ? meta["steps"] : json())};
    if (a.start && work.start < *a.start) work.start = *a.start;
    node.gateway = std::move(work);
  } else {
    node.status = "failed";
    node.error = text(payload, "error") + ": " + text(payload, "message");
    int attempt = static_cast<int>(std::max<int64_t>(1, number(payload, "attempt", 1, 1'000'000)));
    auto& a = attempt_of(node, attempt);
    if (!a.end) a.end = r.stored;
    a.outcome = "failed: " + text(payload, "error");
  }
}

void apply_event(TraceNode& node, const BusRecord& r) {
  const json& payload = object(r.envelope, "payload");
  std::string type = text(r.envelope, "type");
  if (type == "task.claimed") {
    int attempt = static_cast<int>(std::max<int64_t>(1, number(payload, "attempt", 1, 1'000'000)));
    auto& a = attempt_of(node, attempt);
    a.start = r.stored;
    a.agent = text(payload, "agent");
    if (node.agent.empty()) node.agent = a.agent;
    if (auto task = text(payload, "task"); !task.empty()) node.task = task;
    if (!node.start || r.stored < *node.start) node.start = r.stored;
  } else if (type == "task.retrying") {
    int attempt = static_cast<int>(std::max<int64_t>(1, number(payload, "attempt", 1, 1'000'000)));
    auto& a = attempt_of(node, attempt);
    a.end = r.stored;
    a.outcome = "retrying: " + text(payload, "error");
  } else if (type == "task.deadletter") {
    if (auto task = text(payload, "task"); !task.empty()) node.task = task;
  }
}

struct Index {
  std::map<std::string, std::vector<const BusRecord*>> by_task;
  std::map<std::string, std::set<std::string>> children;
};

Index index_records(const std::vector<BusRecord>& records) {
  Index index;
  for (const auto& r : records) {
    std::string id = text(r.envelope, "correlationId");
    if (id.empty()) continue;
    index.by_task[id].push_back(&r);
    if (auto parent = trace::parent_task_id_of(r.envelope); parent && *parent != id) index.children[*parent].insert(id);
  }
  return index;
}

TraceNode build_node(const std::string& id, const Index& index, int depth) {
  TraceNode node;
  node.task_id = id;
  node.status = "running";
  std::vector<const BusRecord*> records = index.by_task.at(id);
  std::stable_sort(records.begin(), records.end(), [](const BusRecord* a, const BusRecord* b) { return a->stored < b->stored; });
  for (const BusRecord* r : records) {
    if (auto parent = trace::parent_task_id_of(r->envelope)) node.parent_task_id = parent;
    if (auto context = trace::trace_of(r->envelope); context && node.trace_id.empty()) node.trace_id = context->trace_id;
    if (is_result(*r)) apply_result(node, *r);
    else apply_event(node, *r);
  }
  std::sort(node.attempts.begin(), node.attempts.end(), [](const TraceAttempt& a, const TraceAttempt& b) { return a.number < b.number; });
  if (!node.start) {
    for (const auto& a : node.attempts)
      if (a.start && (!node.start || *a.start < *node.start)) node.start = a.start;
    if (!node.start && node.gateway) node.start = node.gateway->start;
  }
  if (depth < kMaxDepth)
    if (auto it = index.children.find(id); it != index.children.end())
      for (const auto& child : it->second)
        if (index.by_task.count(child)) node.children.push_back(build_node(child, index, depth + 1));
  std::sort(node.children.begin(), node.children.end(), [](const TraceNode& a, const TraceNode& b) {
    return a.start.value_or(SystemTime::max()) < b.start.value_or(SystemTime::max());
  });
  return node;
}

std::string iso(const std::optional<SystemTime>& t) { return t ? format_rfc3339_millis(*t) : ""; }

}  // namespace

std::optional<TraceNode> build_trace_tree(const std::string& task_id, const std::vector<BusRecord>& records) {
  Index index = index_records(records);
  if (!index.by_task.count(task_id)) return std::nullopt;
  return build_node(task_id, index, 0);
}

size_t count_tasks(const TraceNode& node) {
  size_t n = 1;
  for (const auto& c : node.children) n += count_tasks(c);
  return n;
}

int64_t total_tokens(const TraceNode& node) {
  int64_t n = node.input_tokens + node.output_tokens;
  for (const auto& c : node.children) n += total_tokens(c);
  return n;
}

double total_cost(const TraceNode& node) {
  double n = node.cost_usd.value_or(0.0);
  for (const auto& c : node.children) n += total_cost(c);
  return n;
}

json to_json(const TraceNode& node) {
  json attempts = json::array();
  for (const auto& a : node.attempts)
    attempts.push_back({{"attempt", a.number}, {"agent", a.agent}, {"start", iso(a.start)}, {"end", iso(a.end)}, {"outcome", a.outcome}});
  json out = {{"taskId", node.task_id}, {"task", node.task},     {"agent", node.agent},   {"status", node.status},
              {"traceId", node.trace_id}, {"start", iso(node.start)}, {"end", iso(node.end)}, {"attempts", attempts},
              {"model", node.model},     {"inputTokens", node.input_tokens}, {"outputTokens", node.output_tokens}};
  if (!node.error.empty()) out["error"] = node.error;
  if (node.cost_usd) out["costUsd"] = *node.cost_usd;
  if (node.parent_task_id) out["parentTaskId"] = *node.parent_task_id;
  if (node.gateway) {
    json steps = json::array();
    for (const auto& s : node.gateway->steps) steps.push_back(trace::to_json(s));
    out["gateway"] = {{"start", iso(node.gateway->start)}, {"end", iso(node.gateway->end)}, {"steps", steps}};
  }
  json children = json::array();
  for (const auto& c : node.children) children.push_back(to_json(c));
  out["children"] = children;
  return out;
}

}  // namespace rt::cli
