// cancel: asks the fleet to cancel a task (docs/contract.md §1 `<fleet>.cancel.<task-id>`).
#include <cstdio>
#include <stdexcept>

#include "roundtable/cli/cli.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/cancel_publish.hpp"

namespace rt::cli {

namespace {

constexpr const char* kUsage = R"(usage: roundtable cancel <task-id> [--reason TEXT] [--fleet F]

Cancels a task: a task.cancel message on <fleet>.cancel.<task-id>, kept a day in the stream
ROUNDTABLE_CANCELS. A bridge holding the task stops its gateway call (the gateway ends its tool
loop and kills running skills); a task still queued, or published later, ends without an LLM
call. The task's result is task.failed with error "cancelled" (not retried), and a
task.cancelled event is published. Cancelling a task that already finished changes nothing.
  --reason TEXT   why, shown in the result's message (default: "cancelled from the CLI")

Exit codes: 0 the cancel is stored, 1 NATS could not store it, 2 bad arguments.
)";

int run_cancel(const config::Settings& s, const std::vector<std::string>& positional) {
  if (positional.size() != 1) throw config::ConfigError("cancel", "expects exactly one task id");
  auto fleet = fleet_of(s);
  contract::CancelRequest cancel{positional[0], s.text("REASON", "cancelled from the CLI"), "cli"};
  if (!contract::cancel_subject(fleet, cancel.task_id))
    throw config::ConfigError("cancel", "task id '" + cancel.task_id + "' cannot be a subject token");
  auto bus = connect_bus(s);
  auto ack = nats::publish_cancel(*bus.js, fleet, "cli", cancel);
  if (!ack) {
    std::fprintf(stderr, "roundtable cancel: %s\n", explain_stream_error(ack.error()).c_str());
    return 1;
  }
  std::printf("cancel of %s stored (%s seq %llu)\n", cancel.task_id.c_str(), ack->stream.c_str(),
              static_cast<unsigned long long>(ack->sequence));
  return 0;
}

}  // namespace

Command cancel_command() {
  Command c;
  c.words = {"cancel"};
  c.summary = "cancel a task: running, queued or not yet published";
  c.usage = kUsage;
  c.flags = {"REASON"};
  c.run = run_cancel;
  return c;
}

}  // namespace rt::cli
