// trace: a task's tree (lead -> delegated tasks -> attempts -> gateway -> LLM and tool calls) as a
// waterfall, from ROUNDTABLE_EVENTS and ROUNDTABLE_RESULTS alone (no collector).
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/trace_tree.hpp"
#include "roundtable/cli/trace_view.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

constexpr size_t kMaxMessages = 200'000;  // per stream: the bound of one look

int terminal_width(const config::Settings& s) {
  if (s.optional_text("WIDTH")) return static_cast<int>(s.integer("WIDTH", 120, 40, 1000));
  winsize size{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 120;
}

void read_into(nats::JetStream& js, std::string_view stream, const std::string& filter, int64_t since, std::vector<BusRecord>& out) {
  auto messages = js.read_since(stream, filter, since, kMaxMessages);
  if (!messages) throw std::runtime_error("cannot read " + std::string(stream) + ": " + explain_stream_error(messages.error()));
  for (auto& m : *messages) {
    auto doc = parse_json_bounded(m.data);
    if (!doc || !doc->is_object()) continue;
    out.push_back({std::move(m.subject), std::move(*doc), SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(m.stored_unix_nanos)))});
  }
}

// Where to start reading: `since` before the task's stored result, or before now when it has none.
int64_t start_of_window(nats::JetStream& js, const std::string& fleet, const std::string& id, std::chrono::milliseconds since) {
  auto now = std::chrono::system_clock::now();
  auto subjects = js.subjects(contract::kResultsStream, fleet + ".results.*." + id);
  SystemTime anchor = now;
  if (subjects && !subjects->empty()) {
    auto stored = js.read_since(contract::kResultsStream, subjects->front(), 0, 1);
    if (stored && !stored->empty())
      anchor = SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(stored->front().stored_unix_nanos)));
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>((anchor - since).time_since_epoch()).count();
}

}  // namespace

Command trace_command() {
  Command c;
  c.words = {"trace"};
  c.summary = "show a task's tree (delegations, attempts, LLM and tool calls) as a waterfall";
  c.usage = R"(usage: roundtable trace <task-id> [--since DUR] [--width N] [--fleet F] [--json]

Reads ROUNDTABLE_EVENTS and ROUNDTABLE_RESULTS (no trace collector needed) and prints the task's
tree as a waterfall: the task, the tasks it delegated (recursively), each attempt (claimed ->
completed, retrying or failed), the gateway's work in the attempt that answered and its steps
(LLM calls with tokens and finish reason, tool calls), with start offsets, durations, tokens and
cost. Exit 0 when the task was found, 1 when the streams hold nothing about it.
  --since DUR        how far before the task's result (or now) to read the streams (1h)
  --width N          line width (the terminal's, else 120)
  --json             the tree as one JSON object (the same tree a dashboard draws)
)";
  c.flags = {"SINCE", "WIDTH"};
  c.boolean_flags = {"JSON"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1 || !is_uuid_v4(positional[0]))
      throw config::ConfigError("task-id", "trace needs exactly one task id, a UUID v4 (see roundtable trace --help)");
    const std::string& id = positional[0];
    auto since = s.duration("SINCE", std::chrono::hours(1));
    auto fleet = fleet_of(s);
    bool as_json = s.boolean("JSON", false);
    int width = terminal_width(s);
    auto bus = connect_bus(s);
    int64_t start = start_of_window(*bus.js, fleet, id, since);
    std::vector<BusRecord> records;
    read_into(*bus.js, contract::kEventsStream, "roundtable.events." + fleet + ".task.>", start, records);
    read_into(*bus.js, contract::kResultsStream, fleet + ".results.>", start, records);
    auto tree = build_trace_tree(id, records);
    if (!tree) {
      std::fprintf(stderr, "no events or results for task %s in fleet %s (within --since %s of its result)\n", id.c_str(), fleet.c_str(),
                   s.text("SINCE", "1h").c_str());
      return 1;
    }
    if (as_json) std::printf("%s\n", to_json(*tree).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    else std::fputs(trace_waterfall(*tree, width).c_str(), stdout);
    return 0;
  };
  return c;
}

}  // namespace rt::cli
