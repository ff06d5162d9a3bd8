// fanout's tasks.yaml and task names given on the command line.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "roundtable/cli/views.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/config/yaml_json.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::cli {

namespace {

[[noreturn]] void fail_at(const std::string& origin, const YAML::Node& node, const std::string& what) {
  std::string where = origin;
  if (node.Mark().line >= 0) where += ":" + std::to_string(node.Mark().line + 1);
  throw config::ConfigError("tasks.yaml", where + ": " + what);
}

nats::TaskOrder order_from(const YAML::Node& item, const std::string& origin) {
  if (!item.IsMap()) fail_at(origin, item, "each task must be a mapping {task, params, priority}");
  nats::TaskOrder order;
  const YAML::Node task = item["task"];
  if (!task || !task.IsScalar()) fail_at(origin, item, "a task needs 'task: <domain>.<action>'");
  order.task = task.as<std::string>();
  if (!contract::parse_task_name(order.task)) fail_at(origin, task, "task '" + order.task + "' is not <domain>.<action> (identifiers)");
  if (const YAML::Node params = item["params"]) {
    order.params = config::yaml_to_json(params);
    if (!order.params.is_object()) fail_at(origin, params, "params of " + order.task + " must be a mapping");
  }
  if (const YAML::Node priority = item["priority"]) {
    auto parsed = priority.IsScalar() ? contract::parse_priority(priority.as<std::string>()) : std::nullopt;
    if (!parsed) fail_at(origin, priority, "priority of " + order.task + " must be low, normal, high or critical");
    order.priority = *parsed;
  }
  for (const auto& entry : item) {
    auto key = entry.first.as<std::string>();
    if (key != "task" && key != "params" && key != "priority") fail_at(origin, entry.first, "unknown key '" + key + "' (task, params, priority)");
  }
  return order;
}

}  // namespace

std::vector<nats::TaskOrder> parse_tasks_yaml(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw config::ConfigError("tasks.yaml", origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  YAML::Node list = root.IsMap() ? root["tasks"] : root;
  if (!list || !list.IsSequence()) throw config::ConfigError("tasks.yaml", origin + ": expected a list of tasks (or tasks: [...])");
  if (list.size() == 0) throw config::ConfigError("tasks.yaml", origin + ": the list of tasks is empty");
  std::vector<nats::TaskOrder> orders;
  for (const auto& item : list) orders.push_back(order_from(item, origin));
  return orders;
}

std::vector<nats::TaskOrder> read_tasks_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw config::ConfigError("tasks.yaml", "cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_tasks_yaml(text.str(), file.string());
}

void check_task_name(const std::string& task) {
  if (!contract::parse_task_name(task))
    throw config::ConfigError("task", "task '" + task + "' is not <domain>.<action> (identifiers [a-z0-9][a-z0-9-]*)");
}

}  // namespace rt::cli
