// fanout: many tasks at once, one table of outcomes.
#include <algorithm>
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/notify.hpp"
#include "roundtable/cli/spinner.hpp"
#include "roundtable/cli/tracing.hpp"
#include "roundtable/cli/views.hpp"

namespace rt::cli {

using nlohmann::json;

Command fanout_command() {
  Command c;
  c.words = {"fanout"};
  c.summary = "send many tasks in parallel and print a table of outcomes";
  c.usage = R"(usage: roundtable fanout <tasks.yaml> [--wait DUR] [--fleet F] [--from NAME] [--json]

tasks.yaml is a list (or {tasks: [...]}) of {task: <domain.action>, params: {...}, priority: P}.
Every task is published at once; then one table: task, status (completed | failed | timeout),
duration, the agent that answered, and the first line of the answer. Exit 1 when any task
failed or had no result within --wait (60s).
  --json             print one JSON object {"tasks": [...], "ok": true|false}
  --notify URL[,URL] also POST every outcome there (--notify-format, --notify-attempts,
                     --notify-backoff and ROUNDTABLE_NOTIFY_URL as for ask); exit 3 when every
                     task completed but a delivery failed
)";
  c.flags = {"WAIT", "FROM"};
  c.flags.insert(c.flags.end(), kNotifyFlags.begin(), kNotifyFlags.end());
  c.boolean_flags = {"JSON"};
  c.environment = trace::otel_setting_names();
  c.environment.insert(c.environment.end(), kNotifyEnvironment.begin(), kNotifyEnvironment.end());
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("tasks.yaml", "fanout needs exactly one tasks.yaml file (see roundtable fanout --help)");
    auto orders = read_tasks_file(positional[0]);
    auto wait = s.duration("WAIT", std::chrono::seconds(60));
    auto from = s.identifier("FROM", std::string("cli"));
    bool as_json = s.boolean("JSON", false);
    auto notify = notify_settings(s);
    auto fleet = fleet_of(s);
    auto bus = connect_bus_notifying(s, notify, "fanout");
    nats::TaskClient client(*bus.connection, *bus.js, fleet, from);
    // One trace for the whole fan-out: a root span, and a publish span per task under it.
    auto exporter = cli_exporter(s);
    trace::Span root = trace::start_span("fanout", trace::SpanKind::internal, std::nullopt);
    root.set("roundtable.tasks", static_cast<int64_t>(orders.size()));
    std::vector<std::string> ids;
    for (const auto& order : orders) {
      auto id = send_traced(client, fleet, order, {}, root.context(), *exporter);
      if (!id) fail_notifying(notify, "fanout", "cannot publish " + order.task + ": " + explain_stream_error(id.error()));
      ids.push_back(*id);
    }
    std::vector<nats::TaskAnswer> answers;
    {
      Spinner spinner("waiting for " + std::to_string(ids.size()) + " tasks");
      answers = client.wait_checking_stream(ids, std::chrono::steady_clock::now() + wait, std::chrono::seconds(2));
    }
    bool all_completed = std::all_of(answers.begin(), answers.end(), [](const nats::TaskAnswer& a) { return a.completed; });
    if (!all_completed) root.fail("not every task completed");
    std::string trace_id = root.trace_id;
    trace::end_span(root);
    exporter->record(std::move(root));
    bool delivered = notify_all(notify, notify_message_for_fanout(answers, wait), *bus.js, fleet, from);
    if (as_json) {
      json tasks = json::array();
      for (const auto& a : answers) tasks.push_back(to_json(a));
      std::printf("%s\n", json{{"tasks", tasks}, {"ok", all_completed}, {"traceId", trace_id}}.dump().c_str());
    } else {
      std::fputs(fanout_table(answers).c_str(), stdout);
    }
    return exit_with_notify(all_completed ? 0 : 1, delivered);
  };
  return c;
}

}  // namespace rt::cli
