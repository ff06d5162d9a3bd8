// schedule render: a fleet's schedule file as CronJobs for kubectl or kustomize.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/schedule.hpp"

namespace rt::cli {

Command schedule_render_command() {
  Command c;
  c.words = {"schedule", "render"};
  c.summary = "render a schedule file (cron asks and fan-outs) as Kubernetes CronJobs";
  c.usage = R"(usage: roundtable schedule render <schedules.yaml>... [--output FILE]

Checks the files (one per fleet) (cron expressions, IANA time zones, task names, Secret references) and prints
the Kubernetes objects that run it: per schedule a CronJob (batch/v1, concurrencyPolicy Forbid,
a restricted pod running `roundtable ask|fanout --notify-format F` with the notify URL from its
Secret as ROUNDTABLE_NOTIFY_URL), a ConfigMap with a fan-out's tasks file, and the
NetworkPolicies the runs need (NATS, DNS, HTTPS out). docs/schedules.md describes the file.
  --output FILE      write there instead of to stdout
Exit 0 rendered, 2 a problem in the file (file:line: what), 1 the output could not be written.
)";
  c.flags = {"OUTPUT"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.empty())
      throw config::ConfigError("schedule", "schedule render needs a schedules.yaml (see roundtable schedule render --help)");
    std::vector<ScheduleFile> files;
    std::string names;
    for (const auto& path : positional) {
      files.push_back(read_schedule_file(path));
      names += (names.empty() ? "" : ", ") + std::filesystem::path(path).filename().string();
    }
    auto text = to_yaml_stream(schedule_objects(files), "Rendered by `roundtable schedule render` from " + names +
                                                            ": edit the schedule files and render again, not this one.");
    auto output = s.optional_text("OUTPUT");
    if (!output) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    std::ofstream out(*output, std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + *output);
    return 0;
  };
  return c;
}

}  // namespace rt::cli
