// What the CLI reads (tasks.yaml) and prints (watch lines, the roster, fanout's table).
#include <gtest/gtest.h>

#include "roundtable/cli/views.hpp"
#include "roundtable/config/settings.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

SystemTime at(const char* text) { return *parse_rfc3339(text); }

std::string config_error_of(const std::string& yaml) {
  try {
    parse_tasks_yaml(yaml, "tasks.yaml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TasksFile, ListOfTasksWithParamsAndPriority) {
  auto orders = parse_tasks_yaml(
      "- task: security.briefing\n"
      "  params: {scope: home, depth: 2, tags: [a, b]}\n"
      "  priority: high\n"
      "- {task: comms.digest}\n",
      "tasks.yaml");
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].task, "security.briefing");
  EXPECT_EQ(orders[0].params, json::parse(R"({"scope":"home","depth":2,"tags":["a","b"]})"));
  EXPECT_EQ(orders[0].priority, contract::Priority::high);
  EXPECT_EQ(orders[1].task, "comms.digest");
  EXPECT_EQ(orders[1].params, json::object());
  EXPECT_EQ(orders[1].priority, contract::Priority::normal);
}

TEST(TasksFile, TasksKeyIsAccepted) {
  auto orders = parse_tasks_yaml("tasks:\n  - {task: a.b}\n  - {task: c.d, priority: critical}\n", "f.yaml");
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].priority, contract::Priority::critical);
}

TEST(TasksFile, ProblemsNameTheFileAndLine) {
  struct Case {
    const char* yaml;
    const char* fragment;
  };
  const std::vector<Case> cases{
      {"- {task: a.b}\n- {params: {}}\n", "tasks.yaml:2: a task needs 'task"},
      {"- {task: nodot}\n", "task 'nodot' is not <domain>.<action>"},
      {"- {task: a.b.c}\n", "is not <domain>.<action>"},
      {"- {task: Sec.brief}\n", "is not <domain>.<action>"},
      {"- {task: a.b, priority: urgent}\n", "priority of a.b must be low, normal, high or critical"},
      {"- {task: a.b, params: [1, 2]}\n", "params of a.b must be a mapping"},
      {"- {task: a.b, prio: high}\n", "unknown key 'prio'"},
      {"- just a string\n", "each task must be a mapping"},
      {"task: a.b\n", "expected a list of tasks"},
      {"[]\n", "the list of tasks is empty"},
      {"- {task: a.b\n", "tasks.yaml:"},
      {"", "expected a list of tasks"},
  };
  for (const auto& c : cases) EXPECT_NE(config_error_of(c.yaml).find(c.fragment), std::string::npos) << c.yaml << " -> " << config_error_of(c.yaml);
}

TEST(TasksFile, MissingFileIsAConfigError) {
  EXPECT_THROW(read_tasks_file("/nonexistent/tasks.yaml"), config::ConfigError);
}

TEST(TaskName, MustBeDomainDotAction) {
  EXPECT_NO_THROW(check_task_name("security.briefing"));
  EXPECT_NO_THROW(check_task_name("home-scene.lights-off"));
  for (const char* bad : {"security", "security.", ".briefing", "a.b.c", "a.*", "a.>", "a b.c", "A.b", ""})
    EXPECT_THROW(check_task_name(bad), config::ConfigError) << bad;
}

TEST(Watch, SubjectKinds) {
  EXPECT_EQ(subject_kind("roundtable.events.fleet-a.task.claimed"), "event");
  EXPECT_EQ(subject_kind("fleet-a.results.security.abc"), "result");
  EXPECT_EQ(subject_kind("fleet-a.heartbeat.galahad"), "heartbeat");
  EXPECT_EQ(subject_kind("fleet-a.tasks.security.briefing"), "task");
  EXPECT_EQ(subject_kind("something.else"), "other");
}

TEST(Watch, EventLineHasTimeKindTypeAgentTaskAndText) {
  json claimed = {{"id", "e1"},
                  {"type", "task.claimed"},
                  {"from", "galahad"},
                  {"timestamp", "2026-02-08T15:00:07Z"},
                  {"correlationId", "5b0f3c1e-1111-4222-8333-444444444444"},
                  {"payload", {{"agent", "galahad"}, {"attempt", 1}, {"message", "galahad claimed security.briefing"}}}};
  auto line = watch_line("roundtable.events.fleet-a.task.claimed", claimed.dump(), at("2026-02-08T16:00:00Z"));
  EXPECT_EQ(line.substr(0, 8), "15:00:07") << "the envelope's own time";
  EXPECT_NE(line.find(" event "), std::string::npos) << line;
  EXPECT_NE(line.find("task.claimed"), std::string::npos) << line;
  EXPECT_NE(line.find("galahad"), std::string::npos) << line;
  EXPECT_NE(line.find("5b0f3c1e "), std::string::npos) << line;
  EXPECT_EQ(line.find("5b0f3c1e-"), std::string::npos) << "short task id: " << line;
  EXPECT_NE(line.find("galahad claimed security.briefing"), std::string::npos) << line;
}

TEST(Watch, ResultFailureAndHeartbeatLines) {
  json result = {{"type", "task.result"}, {"from", "gawain"}, {"correlationId", "abcdef01-x"}, {"timestamp", "2026-02-08T15:00:00Z"},
                 {"payload", {{"status", "completed"}, {"result", {{"format", "markdown"}, {"content", "first line\nsecond line"}}}}}};
  auto line = watch_line("fleet-a.results.intel.abcdef01-x", result.dump(), at("2026-02-08T15:00:00Z"));
  EXPECT_NE(line.find("result"), std::string::npos);
  EXPECT_NE(line.find("gawain"), std::string::npos);
  EXPECT_NE(line.find("abcdef01"), std::string::npos);
  EXPECT_NE(line.find("first line"), std::string::npos);
  EXPECT_EQ(line.find("second line"), std::string::npos) << "one line per message: " << line;

  json failed = {{"type", "task.failed"}, {"from", "gawain"}, {"correlationId", "t2"},
                 {"payload", {{"error", "rate_limited"}, {"message", "budget exhausted"}}}};
  EXPECT_NE(watch_line("fleet-a.results.intel.t2", failed.dump(), at("2026-02-08T15:00:00Z")).find("rate_limited: budget exhausted"),
            std::string::npos);

  json beat = {{"type", "heartbeat"}, {"from", "percival"}, {"id", "hb-1"},
               {"payload", {{"status", "degraded"}, {"activeTaskCount", 2}, {"gateway", "up"}}}};
  auto hb = watch_line("fleet-a.heartbeat.percival", beat.dump(), at("2026-02-08T15:00:00Z"));
  EXPECT_NE(hb.find("heartbeat"), std::string::npos);
  EXPECT_NE(hb.find("percival"), std::string::npos);
  EXPECT_NE(hb.find("degraded active=2 gateway=up"), std::string::npos) << hb;
  EXPECT_EQ(hb.find("hb-1"), std::string::npos) << "a heartbeat's id is not a task id: " << hb;
}

TEST(Watch, AnythingAtAllGivesALine) {
  auto now = at("2026-02-08T15:00:00Z");
  for (const std::string& bytes : {std::string("not json"), std::string("[1,2]"), std::string("{}"), std::string("{\"payload\":5}"),
                                   std::string("{\"type\":7,\"from\":[],\"payload\":{\"percent\":\"x\"}}"),
                                   std::string("{\"type\":\"task.result\",\"payload\":{\"result\":\"flat\"}}"), std::string("\xff\xfe")}) {
    std::string line;
    EXPECT_NO_THROW(line = watch_line("roundtable.events.fleet-a.task.progress", bytes, now)) << bytes;
    EXPECT_EQ(line.substr(0, 8), "15:00:00") << bytes;
  }
  EXPECT_NE(watch_line("fleet-a.results.x.y", "not json", now).find("(not JSON)"), std::string::npos);
}

json heartbeat(const std::string& agent, const std::string& timestamp, json payload) {
  return {{"id", "h"}, {"version", "1.0"}, {"type", "heartbeat"}, {"from", agent}, {"timestamp", timestamp}, {"payload", std::move(payload)}};
}

TEST(Roster, EntryFromAHeartbeat) {
  auto doc = heartbeat("galahad", "2026-02-08T15:00:00Z",
                       {{"status", "healthy"}, {"capabilities", {"security.briefing", "security.scan"}}, {"activeTaskCount", 1},
                        {"model", "claude-sonnet-4-5"}, {"gateway", "up"},
                        {"consumers", {{{"name", "fleet-a-galahad-security"}, {"pending", 3}, {"ackPending", 1}},
                                       {{"name", "fleet-a-galahad-home"}, {"pending", 2}, {"ackPending", 0}}}}});
  auto entry = roster_entry("fleet-a.heartbeat.galahad", doc, at("2026-02-08T15:00:12Z"));
  EXPECT_EQ(entry.agent, "galahad");
  EXPECT_EQ(entry.domains, std::vector<std::string>{"security"}) << "domains from capabilities, once each";
  EXPECT_EQ(entry.status, "healthy");
  EXPECT_EQ(entry.model, "claude-sonnet-4-5");
  EXPECT_EQ(entry.active_tasks, 1);
  EXPECT_EQ(entry.pending, 5u);
  EXPECT_EQ(entry.age_seconds, 12);
  auto as_json = to_json(entry);
  EXPECT_EQ(as_json["agent"], "galahad");
  EXPECT_EQ(as_json["heartbeatAgeSeconds"], 12);
  EXPECT_EQ(as_json["pending"], 5);
}

TEST(Roster, DomainsListWinsAndOldHeartbeatsAreStale) {
  auto doc = heartbeat("gawain", "2026-02-08T15:00:00Z", {{"status", "healthy"}, {"domains", {"intel", "news"}}, {"capabilities", {"x.y"}}});
  EXPECT_EQ(roster_entry("fleet-a.heartbeat.gawain", doc, at("2026-02-08T15:01:00Z")).domains, (std::vector<std::string>{"intel", "news"}));
  EXPECT_EQ(roster_entry("fleet-a.heartbeat.gawain", doc, at("2026-02-08T15:01:30Z")).status, "healthy");
  EXPECT_EQ(roster_entry("fleet-a.heartbeat.gawain", doc, at("2026-02-08T15:01:31Z")).status, "stale");
  EXPECT_EQ(roster_entry("fleet-a.heartbeat.gawain", doc, at("2026-02-08T15:01:31Z"), 120s).status, "healthy");
}

TEST(Roster, BrokenHeartbeatStillGivesARowNamedAfterTheSubject) {
  auto entry = roster_entry("fleet-a.heartbeat.tristan", json::parse("[1]"), at("2026-02-08T15:00:00Z"));
  EXPECT_EQ(entry.agent, "tristan");
  EXPECT_EQ(entry.status, "stale") << "no readable time";
  EXPECT_EQ(entry.age_seconds, -1);
  auto table = roster_table({entry});
  EXPECT_NE(table.find("AGENT"), std::string::npos);
  EXPECT_NE(table.find("tristan"), std::string::npos);
}

TEST(Roster, TableHasOneRowPerKnight) {
  auto a = roster_entry("fleet-a.heartbeat.galahad", heartbeat("galahad", "2026-02-08T15:00:00Z", {{"status", "healthy"}, {"domains", {"security"}}}),
                        at("2026-02-08T15:00:03Z"));
  auto b = roster_entry("fleet-a.heartbeat.percival", heartbeat("percival", "2026-02-08T15:00:00Z", {{"status", "degraded"}, {"domains", {"comms"}}}),
                        at("2026-02-08T15:00:03Z"));
  auto table = roster_table({a, b});
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 3);
  EXPECT_NE(table.find("galahad"), std::string::npos);
  EXPECT_NE(table.find("degraded"), std::string::npos);
  EXPECT_NE(table.find("3s"), std::string::npos);
}

nats::TaskAnswer answer(const std::string& task, bool answered, bool completed, json envelope) {
  nats::TaskAnswer a;
  a.task = task;
  a.task_id = "id-" + task;
  a.answered = answered;
  a.completed = completed;
  a.envelope = std::move(envelope);
  a.agent = answered ? a.envelope.value("from", "") : "";
  a.elapsed = 42ms;
  return a;
}

TEST(Answers, StatusTableAndJson) {
  auto ok = answer("security.one", true, true,
                   {{"type", "task.result"}, {"from", "galahad"}, {"payload", {{"status", "completed"}, {"result", {{"content", "all quiet\nmore"}}}}}});
  auto bad = answer("security.two", true, false,
                    {{"type", "task.failed"}, {"from", "galahad"}, {"payload", {{"error", "skill_missing"}, {"message", "no scanner"}}}});
  auto silent = answer("security.three", false, false, json());
  EXPECT_EQ(answer_status(ok), "completed");
  EXPECT_EQ(answer_status(bad), "failed");
  EXPECT_EQ(answer_status(silent), "timeout");
  auto table = fanout_table({ok, bad, silent});
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4);
  EXPECT_NE(table.find("all quiet"), std::string::npos);
  EXPECT_EQ(table.find("more"), std::string::npos);
  EXPECT_NE(table.find("skill_missing: no scanner"), std::string::npos);
  EXPECT_NE(table.find("42ms"), std::string::npos);
  auto failure = to_json(bad);
  EXPECT_EQ(failure["status"], "failed");
  EXPECT_EQ(failure["error"], "skill_missing");
  EXPECT_EQ(failure["message"], "no scanner");
  EXPECT_EQ(to_json(ok)["content"], "all quiet\nmore");
  EXPECT_FALSE(to_json(silent).contains("envelope"));
}

}  // namespace
}  // namespace rt::cli
