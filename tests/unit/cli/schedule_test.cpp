// Schedule files: cron and time zone checks, file errors, and the CronJobs they render.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "roundtable/cli/schedule.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/config/yaml_json.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;

class ZoneInfo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rt-zoneinfo-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "Europe");
    std::ofstream(dir_ / "Europe" / "Berlin") << "TZif";
    std::ofstream(dir_ / "UTC") << "TZif";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

const char* kBriefing = R"(fleet: fleet-a
schedules:
  - name: morning-briefing
    schedule: "0 7 * * *"
    timeZone: Europe/Berlin
    task: lead.briefing
    params: {topics: [security, home]}
    deadline: 10m
    notify:
      secret: {name: roundtable-notify, key: morning-briefing-url}
      format: ntfy
)";

TEST(ScheduleCron, AcceptsWhatKubernetesAccepts) {
  for (const char* ok : {"0 7 * * *", "*/15 * * * *", "0 7 * * MON-FRI", "30 6,18 1-15/2 JAN,jul ?", "0 0 * * 0", "@daily",
                         "@hourly", "  5 4 * * sun  "})
    EXPECT_FALSE(cron_problem(ok).has_value()) << ok << ": " << cron_problem(ok).value_or("");
}

TEST(ScheduleCron, RefusesWithAReason) {
  EXPECT_NE(cron_problem("0 7 * *")->find("five fields"), std::string::npos);
  EXPECT_NE(cron_problem("60 7 * * *")->find("minute"), std::string::npos);
  EXPECT_NE(cron_problem("0 24 * * *")->find("hour"), std::string::npos);
  EXPECT_NE(cron_problem("0 7 0 * *")->find("day of month"), std::string::npos);
  EXPECT_NE(cron_problem("0 7 * 13 *")->find("month"), std::string::npos);
  EXPECT_NE(cron_problem("0 7 * * 7")->find("day of week"), std::string::npos);
  EXPECT_NE(cron_problem("*/0 * * * *")->find("step"), std::string::npos);
  EXPECT_NE(cron_problem("0 9-5 * * *")->find("range"), std::string::npos);
  EXPECT_NE(cron_problem("0 7,,8 * * *")->find("empty"), std::string::npos);
  EXPECT_NE(cron_problem("TZ=Europe/Berlin 0 7 * * *")->find("timeZone"), std::string::npos);
  EXPECT_NE(cron_problem("@every 1h")->find("macro"), std::string::npos);
}

TEST_F(ZoneInfo, TimeZonesAreIanaNamesFoundInTheDatabase) {
  EXPECT_FALSE(time_zone_problem("Europe/Berlin", dir_).has_value());
  EXPECT_FALSE(time_zone_problem("UTC", dir_).has_value());
  EXPECT_NE(time_zone_problem("Europe/Atlantis", dir_)->find("unknown time zone"), std::string::npos);
  EXPECT_TRUE(time_zone_problem("../etc/passwd", dir_).has_value());
  EXPECT_TRUE(time_zone_problem("Local", dir_).has_value());
  EXPECT_TRUE(time_zone_problem("", dir_).has_value());
  // Without a database (a slim image), the name's form is all that can be checked.
  EXPECT_FALSE(time_zone_problem("Europe/Atlantis", dir_ / "missing").has_value());
  EXPECT_TRUE(time_zone_problem("Europe Berlin", dir_ / "missing").has_value());
}

TEST_F(ZoneInfo, ReadsTheMorningBriefing) {
  auto f = parse_schedule_yaml(kBriefing, "fleet-a.yaml", dir_);
  EXPECT_EQ(f.fleet, "fleet-a");
  EXPECT_EQ(f.nats_user, "fleet-a");
  EXPECT_EQ(f.nats_password.name, "nats-credentials");
  EXPECT_EQ(f.nats_password.key, "fleet-a-password");
  ASSERT_EQ(f.schedules.size(), 1u);
  const auto& s = f.schedules[0];
  EXPECT_EQ(s.cron, "0 7 * * *");
  EXPECT_EQ(s.deadline, std::chrono::minutes(10));
  ASSERT_TRUE(s.notify.has_value());
  EXPECT_EQ(s.notify->key, "morning-briefing-url");
  EXPECT_EQ(s.tasks[0].params, json::parse(R"({"topics":["security","home"]})"));
}

std::string error_of(const std::string& text, const std::filesystem::path& zoneinfo) {
  try {
    parse_schedule_yaml(text, "s.yaml", zoneinfo);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_F(ZoneInfo, MistakesStopWithFileLineAndWhat) {
  std::string base = kBriefing;
  auto with = [&](const std::string& from, const std::string& to) {
    auto text = base;
    text.replace(text.find(from), from.size(), to);
    return error_of(text, dir_);
  };
  EXPECT_EQ(with("\"0 7 * * *\"", "\"0 7 * *\"").rfind("s.yaml:4: schedule '0 7 * *'", 0), 0u);
  EXPECT_NE(with("Europe/Berlin", "Mars/Olympus").find("s.yaml:5: unknown time zone"), std::string::npos);
  EXPECT_NE(with("lead.briefing", "briefing").find("<domain>.<action>"), std::string::npos);
  EXPECT_NE(with("deadline: 10m", "deadline: 500ms").find("whole seconds"), std::string::npos);
  EXPECT_NE(with("deadline: 10m", "dedline: 10m").find("unknown key 'dedline'"), std::string::npos);
  EXPECT_NE(with("      secret: {name: roundtable-notify, key: morning-briefing-url}\n", "      url: https://ntfy.sh/x\n").find("unknown key 'url'"),
            std::string::npos);
  EXPECT_NE(with("format: ntfy", "format: teams").find("format must be"), std::string::npos);
  EXPECT_NE(with("name: morning-briefing", "name: Morning").find("identifier"), std::string::npos);
  EXPECT_NE(with("    task: lead.briefing\n", "    fanout: [{task: lead.briefing}]\n").find("belong to each task"), std::string::npos);
  EXPECT_NE(error_of("fleet: fleet-a\nschedules:\n  - {name: x, schedule: '@daily', timeZone: UTC, fanout: []}\n", dir_).find("non-empty list"),
            std::string::npos);
  EXPECT_NE(error_of("fleet: fleet-a\nschedules:\n  - {name: x, schedule: '@daily', timeZone: UTC, task: a.b}\n"
                     "  - {name: x, schedule: '@daily', timeZone: UTC, task: a.c}\n", dir_).find("two schedules are named x"),
            std::string::npos);
  EXPECT_NE(error_of("fleet: fleet-a\nschedules: []\n", dir_).find("non-empty list"), std::string::npos);
}

const json* find_kind(const std::vector<json>& objects, const std::string& kind, const std::string& name) {
  for (const auto& o : objects)
    if (o["kind"] == kind && o["metadata"]["name"] == name) return &o;
  return nullptr;
}

TEST_F(ZoneInfo, RendersARestrictedCronJobThatNeverStacksRuns) {
  auto f = parse_schedule_yaml(kBriefing, "fleet-a.yaml", dir_);
  auto objects = schedule_objects({f});
  const json* cj = find_kind(objects, "CronJob", "roundtable-morning-briefing");
  ASSERT_NE(cj, nullptr);
  const json& spec = (*cj)["spec"];
  EXPECT_EQ(spec["schedule"], "0 7 * * *");
  EXPECT_EQ(spec["timeZone"], "Europe/Berlin");
  EXPECT_EQ(spec["concurrencyPolicy"], "Forbid");
  EXPECT_EQ(spec["jobTemplate"]["spec"]["activeDeadlineSeconds"], 600 + 120);
  const json& pod = spec["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(pod["securityContext"], json::parse(R"({"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}})"));
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(c["command"], json::array({"/usr/local/bin/roundtable"}));
  EXPECT_EQ(c["args"], json::parse(R"(["ask","lead.briefing","--params","{\"topics\":[\"security\",\"home\"]}","--wait","10m","--ttl","10m",
                                       "--from","morning-briefing","--notify-format","ntfy"])"));
  bool notify_from_secret = false;
  for (const auto& e : c["env"])
    if (e["name"] == "ROUNDTABLE_NOTIFY_URL")
      notify_from_secret = e["valueFrom"]["secretKeyRef"] == json{{"name", "roundtable-notify"}, {"key", "morning-briefing-url"}};
  EXPECT_TRUE(notify_from_secret) << c["env"].dump();
  EXPECT_NE(find_kind(objects, "NetworkPolicy", "roundtable-schedules-egress"), nullptr);
  EXPECT_NE(find_kind(objects, "NetworkPolicy", "nats-ingress-schedules"), nullptr);
}

TEST_F(ZoneInfo, NamesAreUniqueAcrossFleetFiles) {
  auto a = parse_schedule_yaml(kBriefing, "fleet-a.yaml", dir_);
  auto b = a;
  b.fleet = "fleet-b";
  EXPECT_THROW(schedule_objects({a, b}), config::ConfigError);
  b.schedules[0].name = "evening-briefing";
  auto objects = schedule_objects({a, b});
  size_t policies = 0;
  for (const auto& o : objects) policies += o["kind"] == "NetworkPolicy";
  EXPECT_EQ(policies, 3u) << "the NetworkPolicies are rendered once for all files";
}

TEST_F(ZoneInfo, AFanoutGetsItsTasksFileFromAConfigMap) {
  auto f = parse_schedule_yaml(R"(fleet: fleet-b
schedules:
  - name: weekly-review
    schedule: "0 18 * * FRI"
    timeZone: UTC
    fanout:
      - {task: security.review, params: {days: 7}}
      - {task: home.review, priority: high}
)",
                               "b.yaml", dir_);
  auto objects = schedule_objects({f});
  const json* cm = find_kind(objects, "ConfigMap", "roundtable-weekly-review-tasks");
  ASSERT_NE(cm, nullptr);
  auto orders = parse_tasks_yaml((*cm)["data"]["tasks.yaml"].get<std::string>(), "configmap");
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].params, json::parse(R"({"days":7})"));
  EXPECT_EQ(orders[1].priority, contract::Priority::high);
  const json* cj = find_kind(objects, "CronJob", "roundtable-weekly-review");
  ASSERT_NE(cj, nullptr);
  const json& pod = (*cj)["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"][0]["args"][0], "fanout");
  EXPECT_EQ(pod["volumes"][0]["configMap"]["name"], "roundtable-weekly-review-tasks");
  EXPECT_EQ(pod["containers"][0]["args"][1], "/etc/roundtable/schedule/tasks.yaml");
}

TEST_F(ZoneInfo, TheYamlStreamReadsBackAsTheSameObjects) {
  auto objects = schedule_objects({parse_schedule_yaml(kBriefing, "fleet-a.yaml", dir_)});
  auto text = to_yaml_stream(objects, "header line");
  EXPECT_EQ(text.rfind("# header line\n", 0), 0u);
  auto docs = YAML::LoadAll(text);
  ASSERT_EQ(docs.size(), objects.size());
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(config::yaml_to_json(docs[i]), objects[i]) << text;
}

}  // namespace
}  // namespace rt::cli
