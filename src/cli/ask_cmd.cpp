// ask: send one task and print its result.
#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/notify.hpp"
#include "roundtable/cli/spinner.hpp"
#include "roundtable/cli/tracing.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/common/duration.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

contract::Priority priority_of(const config::Settings& s) {
  return *contract::parse_priority(s.choice("PRIORITY", "normal", {"low", "normal", "high", "critical"}));
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
  c.usage = R"(usage: roundtable ask <domain.action> [--params JSON] [--priority P] [--wait DUR] [--fleet F] [--from NAME] [--json]

Publishes a task.request to <fleet>.tasks.<domain>.<action> (Nats-Msg-Id = the task id) and
waits for its result on <fleet>.results.<domain>.<task-id>, also looking in ROUNDTABLE_RESULTS
for a result stored while the connection was down. Prints the result content (exit 0), the
failure code and message (exit 1), or "no result within <wait>" (exit 1).
  --params JSON      task parameters, a JSON object ({})
  --priority P       low | normal | high | critical (normal)
  --wait DUR         how long to wait: 500ms, 30s, 5m, 1h (60s)
  --ttl DUR          how long the task stays valid for the knights (1h)
  --fleet F          the fleet (FLEET_ID, fleet-a)
  --from NAME        the sender id (cli)
  --json             print one JSON object: taskId, task, status, agent, elapsedMs, content or
                     error and message, and the answer's envelope
  --notify URL[,URL] also POST the answer (or the failure, or the timeout) there: ntfy, Slack,
                     Discord or JSON by --notify-format (auto: by URL); ROUNDTABLE_NOTIFY_URL from
                     the environment adds to it. Exit 3 when the task completed but a delivery failed
  --notify-format F  auto | ntfy | slack | discord | json (auto)
  --notify-attempts N  tries per URL, 1 to 10 (5); 408, 429, 5xx and no answer are tried again
  --notify-backoff DUR first wait between tries, doubled each time, Retry-After wins (1s)
)";
  c.flags = {"PARAMS", "PRIORITY", "WAIT", "TTL", "FROM"};
  c.flags.insert(c.flags.end(), kNotifyFlags.begin(), kNotifyFlags.end());
  c.boolean_flags = {"JSON"};
  c.environment = trace::otel_setting_names();
  c.environment.insert(c.environment.end(), kNotifyEnvironment.begin(), kNotifyEnvironment.end());
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("task", "ask needs exactly one <domain.action> (see roundtable ask --help)");
    nats::TaskOrder order{positional[0], params_of(s), priority_of(s), std::nullopt, std::nullopt};
    check_task_name(order.task);
    auto wait = s.duration("WAIT", std::chrono::seconds(60));
    auto ttl = std::chrono::duration_cast<std::chrono::seconds>(s.duration("TTL", std::chrono::hours(1)));
    if (ttl.count() <= 0) s.fail("TTL", "at least 1s", s.text("TTL", ""));
    auto from = s.identifier("FROM", std::string("cli"));
    bool as_json = s.boolean("JSON", false);
    auto notify = notify_settings(s);
    auto fleet = fleet_of(s);
    auto bus = connect_bus_notifying(s, notify, order.task);
    nats::TaskClient client(*bus.connection, *bus.js, fleet, from);  // subscribes before it publishes
    auto exporter = cli_exporter(s);
    nats::SendOptions options;
    options.ttl = ttl;
    std::string trace_id;
    auto id = send_traced(client, fleet, order, options, std::nullopt, *exporter, &trace_id);
    if (!id) fail_notifying(notify, order.task, "cannot publish " + order.task + ": " + explain_stream_error(id.error()));
    std::vector<nats::TaskAnswer> answers;
    {
      Spinner spinner("waiting for " + order.task + " (task " + id->substr(0, 8) + ")");
      answers = client.wait_checking_stream({*id}, std::chrono::steady_clock::now() + wait, std::chrono::seconds(2));
    }
    const auto& answer = answers.front();
    bool delivered = notify_all(notify, notify_message_for_ask(answer, wait), *bus.js, fleet, from);
    if (as_json) {
      auto out = to_json(answer);
      out["traceId"] = trace_id;
      std::printf("%s\n", out.dump().c_str());
      return exit_with_notify(answer.completed ? 0 : 1, delivered);
    }
    if (!answer.answered) {
      std::fprintf(stderr, "no result within %s for %s (task %s)\n", format_duration(wait).c_str(), order.task.c_str(), id->c_str());
      return 1;
    }
    if (!answer.completed) {
      std::fprintf(stderr, "failed: %s (task %s, answered by %s)\n", answer.content().c_str(), id->c_str(),
                   answer.agent.empty() ? "?" : answer.agent.c_str());
      return 1;
    }
    std::printf("%s\n", answer.content().c_str());
    return exit_with_notify(0, delivered);
  };
  return c;
}

}  // namespace rt::cli
