#pragma once
// Scheduled asks and fan-outs: a declarative file per fleet (deploy/schedules/<fleet>.yaml) that
// `roundtable schedule render` turns into Kubernetes CronJobs running `roundtable ask|fanout
// --notify` (docs/schedules.md).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rt::cli {

struct SecretRef {
  std::string name;
  std::string key;
};

struct ScheduledTask {
  std::string task;                               // <domain>.<action>
  nlohmann::json params = nlohmann::json::object();
  std::string priority = "normal";
};

struct Schedule {
  std::string name;                 // identifier, at most 40 characters: CronJob roundtable-<name>
  std::string cron;                 // five fields or @hourly/@daily/...
  std::string time_zone;            // IANA, e.g. Europe/Berlin (CronJob spec.timeZone)
  std::vector<ScheduledTask> tasks; // one: an ask; `fanout:` in the file: several
  bool fanout = false;
  std::chrono::seconds deadline{600};           // --wait and --ttl of the task
  std::chrono::seconds starting_deadline{300};  // a run missed by more than this is skipped
  std::optional<SecretRef> notify;              // the notify URL, from a Secret
  std::string notify_format = "auto";
  bool suspend = false;
};

struct ScheduleFile {
  std::string fleet;
  std::string image = "ghcr.io/roundtable/nats-bridge:0.1.0";  // holds /usr/local/bin/roundtable
  std::string nats_url = "nats://nats:4222";
  std::string nats_user;            // default: the fleet (deploy/base/nats/auth.conf)
  SecretRef nats_password;          // default: nats-credentials / <fleet>-password
  std::vector<Schedule> schedules;
};

// Where the IANA time zone database lives; a name is checked against it when it exists.
inline const std::filesystem::path kZoneInfoDir = "/usr/share/zoneinfo";

// A cron expression Kubernetes accepts (robfig/cron standard: minute hour day-of-month month
// day-of-week, with *, ?, lists, ranges, steps, JAN-DEC, SUN-SAT; or @yearly, @annually,
// @monthly, @weekly, @daily, @midnight, @hourly). Returns why not, or nullopt when valid.
std::optional<std::string> cron_problem(std::string_view expression);
// An IANA zone name (Area/Location, UTC ...), present in zoneinfo_dir when that folder exists.
std::optional<std::string> time_zone_problem(std::string_view name, const std::filesystem::path& zoneinfo_dir = kZoneInfoDir);

// Reads and checks a schedule file; throws config::ConfigError("schedule", "<origin>:<line>: what").
ScheduleFile parse_schedule_yaml(const std::string& text, const std::string& origin,
                                 const std::filesystem::path& zoneinfo_dir = kZoneInfoDir);
ScheduleFile read_schedule_file(const std::filesystem::path& file);

// The Kubernetes objects of a schedule file: per schedule a CronJob (and, for a fan-out, the
// ConfigMap with its tasks file), then the NetworkPolicies its pods need.
// Several files (one per fleet) render together, the NetworkPolicies once; two schedules with the
// same name throw config::ConfigError.
std::vector<nlohmann::json> schedule_objects(const std::vector<ScheduleFile>& files);
// The command line a schedule's container runs (the CronJob's command + args).
std::vector<std::string> schedule_command(const ScheduleFile& file, const Schedule& schedule);
// Objects as a YAML stream ("---" between documents), with a header comment.
std::string to_yaml_stream(const std::vector<nlohmann::json>& objects, const std::string& header_comment);

}  // namespace rt::cli
