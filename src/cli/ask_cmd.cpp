// ask and fanout: publish tasks, wait for results, print them.
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/duration.hpp"
#include "roundtable/config/yaml_json.hpp"
#include "roundtable/nats/task_client.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

// A spinner on stderr while we wait, only on a terminal.
class Spinner {
 public:
  explicit Spinner(std::string label) : label_(std::move(label)) {
    if (!stderr_is_terminal()) return;
    thread_ = std::thread([this] {
      const char* frames = "|/-\\";
      int i = 0;
      auto start = std::chrono::steady_clock::now();
      while (!done_) {
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "\r%c %s %.1fs ", frames[i++ % 4], label_.c_str(), secs);
        std::fflush(stderr);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::fprintf(stderr, "\r\033[K");
    });
  }
  ~Spinner() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::string label_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

contract::Priority priority_of(const config::Settings& s) {
  auto name = s.choice("PRIORITY", "normal", {"low", "normal", "high", "critical"});
  return *contract::parse_priority(name);
}

json params_of(const config::Settings& s) {
  auto text = s.text("PARAMS", "{}");
  json params = json::parse(text, nullptr, false);
  if (!params.is_object()) s.fail("PARAMS", "a JSON object", text);
  return params;
}

}  // namespace

Command ask_command() {
  Command c;
  c.words = {"ask"};
  c.summary = "send one task and print its result";
  c.usage = R"(usage: roundtable ask <domain.action> [--params JSON] [--priority P] [--wait DUR] [--fleet F] [--json]

Publishes a task.request to <fleet>.tasks.<domain>.<action> and waits for the result on
<fleet>.results.<domain>.<task-id>. Prints the result content (exit 0), or the failure code and
message (exit 1), or "no result within <wait>" (exit 1). --json prints the result envelope.
  --params JSON      task parameters (an object), default {}
  --priority P       low | normal | high | critical (normal)
  --wait DUR         how long to wait (60s)
  --from NAME        the sender id (cli)
)";
  c.flags = {"PARAMS", "PRIORITY", "WAIT", "FROM"};
  c.boolean_flags = {"JSON"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("task", "ask needs exactly one <domain.action> (see roundtable ask --help)");
    auto wait = s.duration("WAIT", std::chrono::seconds(60));
    nats::TaskOrder order{positional[0], params_of(s), priority_of(s), std::nullopt, std::nullopt};
    auto bus = connect_bus(s);
    nats::TaskClient client(*bus.connection, *bus.js, fleet_of(s), s.identifier("FROM", std::string("cli")));
    auto id = client.send(order);
    if (!id) throw std::runtime_error(id.error().message);
    std::vector<nats::TaskAnswer> answers;
    {
      Spinner spinner("waiting for " + order.task + " (" + id->substr(0, 8) + ")");
      answers = client.wait({*id}, std::chrono::steady_clock::now() + wait);
    }
    const auto& answer = answers.front();
    if (s.boolean("JSON", false)) {
      json out = {{"taskId", *id}, {"task", order.task}, {"answered", answer.answered}, {"elapsedMs", answer.elapsed.count()}};
      if (answer.answered) out["result"] = answer.envelope;
      std::printf("%s\n", out.dump().c_str());
      return answer.completed ? 0 : 1;
    }
    if (!answer.answered) {
      std::fprintf(stderr, "no result within %s for %s (task %s)\n", format_duration(wait).c_str(), order.task.c_str(), id->c_str());
      return 1;
    }
    if (!answer.completed) {
      std::fprintf(stderr, "failed: %s\n", answer.content().c_str());
      return 1;
    }
    std::printf("%s\n", answer.content().c_str());
    return 0;
  };
  return c;
}

Command fanout_command() {
  Command c;
  c.words = {"fanout"};
  c.summary = "send many tasks in parallel and print a table of outcomes";
  c.usage = R"(usage: roundtable fanout <tasks.yaml> [--wait DUR] [--fleet F] [--json]

tasks.yaml is a list (or {tasks: [...]}) of {task: <domain.action>, params: {...}, priority: P}.
All are published at once; the table shows each task's status, who answered and how long it
took. Exit 1 when any failed or did not answer within --wait (60s).
)";
  c.flags = {"WAIT", "FROM"};
  c.boolean_flags = {"JSON"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("tasks.yaml", "fanout needs one tasks.yaml file");
    std::vector<nats::TaskOrder> orders;
    try {
      YAML::Node root = YAML::LoadFile(positional[0]);
      YAML::Node list = root.IsMap() ? root["tasks"] : root;
      if (!list || !list.IsSequence()) throw config::ConfigError("tasks.yaml", positional[0] + ": expected a list of tasks");
      for (const auto& item : list) {
        nats::TaskOrder order;
        if (!item["task"]) throw config::ConfigError("tasks.yaml", positional[0] + ":" + std::to_string(item.Mark().line + 1) + ": a task needs 'task'");
        order.task = item["task"].as<std::string>();
        if (item["params"]) {
          order.params = config::yaml_to_json(item["params"]);
          if (!order.params.is_object()) throw config::ConfigError("tasks.yaml", positional[0] + ": params must be a mapping");
        }
        if (item["priority"]) {
          auto p = contract::parse_priority(item["priority"].as<std::string>());
          if (!p) throw config::ConfigError("tasks.yaml", positional[0] + ": bad priority '" + item["priority"].as<std::string>() + "'");
          order.priority = *p;
        }
        orders.push_back(order);
      }
    } catch (const YAML::Exception& e) {
      throw config::ConfigError("tasks.yaml", positional[0] + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    auto wait = s.duration("WAIT", std::chrono::seconds(60));
    auto bus = connect_bus(s);
    nats::TaskClient client(*bus.connection, *bus.js, fleet_of(s), s.identifier("FROM", std::string("cli")));
    std::vector<std::string> ids;
    for (const auto& order : orders) {
      auto id = client.send(order);
      if (!id) throw std::runtime_error(order.task + ": " + id.error().message);
      ids.push_back(*id);
    }
    std::vector<nats::TaskAnswer> answers;
    {
      Spinner spinner("waiting for " + std::to_string(ids.size()) + " tasks");
      answers = client.wait(ids, std::chrono::steady_clock::now() + wait);
    }
    bool all_ok = true;
    json out = json::array();
    if (!s.boolean("JSON", false)) std::printf("%-28s %-10s %-14s %10s  %s\n", "TASK", "STATUS", "AGENT", "DURATION", "DETAIL");
    for (const auto& a : answers) {
      std::string status = a.completed ? "completed" : a.answered ? "failed" : "timeout";
      all_ok = all_ok && a.completed;
      std::string detail = a.completed ? a.content().substr(0, a.content().find('\n')).substr(0, 60) : a.content().substr(0, 60);
      if (s.boolean("JSON", false))
        out.push_back({{"task", a.task}, {"taskId", a.task_id}, {"status", status}, {"agent", a.agent}, {"elapsedMs", a.elapsed.count()},
                       {"content", a.content()}});
      else
        std::printf("%-28s %-10s %-14s %8lldms  %s\n", a.task.c_str(), status.c_str(), a.agent.empty() ? "-" : a.agent.c_str(),
                    static_cast<long long>(a.elapsed.count()), detail.c_str());
    }
    if (s.boolean("JSON", false)) std::printf("%s\n", out.dump().c_str());
    return all_ok ? 0 : 1;
  };
  return c;
}

}  // namespace rt::cli
