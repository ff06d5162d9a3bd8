// deploy/schedules/<fleet>.yaml: read and check, so a mistake stops at render time with a line
// number instead of as a CronJob that never runs.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "roundtable/cli/notify.hpp"
#include "roundtable/cli/schedule.hpp"
#include "roundtable/common/duration.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/config/yaml_json.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::cli {

namespace {

constexpr size_t kMaxScheduleName = 40;  // roundtable-<name> within a CronJob's 52 characters

class Reader {
 public:
  Reader(std::string origin, std::filesystem::path zoneinfo) : origin_(std::move(origin)), zoneinfo_(std::move(zoneinfo)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
    std::string where = origin_;
    if (node.Mark().line >= 0) where += ":" + std::to_string(node.Mark().line + 1);
    throw config::ConfigError("schedule", where + ": " + what);
  }

  void only_keys(const YAML::Node& map, const std::set<std::string>& allowed) const {
    for (const auto& entry : map) {
      auto key = entry.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        fail(entry.first, "unknown key '" + key + "' (" + list + ")");
      }
    }
  }

  std::string text(const YAML::Node& map, const char* key, std::optional<std::string> fallback) const {
    const YAML::Node node = map[key];
    if (!node) {
      if (!fallback) fail(map, std::string("'") + key + "' is required");
      return *fallback;
    }
    if (!node.IsScalar() || node.as<std::string>().empty()) fail(node, std::string("'") + key + "' must be a non-empty text");
    return node.as<std::string>();
  }

  std::string identifier(const YAML::Node& map, const char* key, std::optional<std::string> fallback) const {
    auto value = text(map, key, std::move(fallback));
    if (!contract::is_identifier(value)) fail(map[key] ? map[key] : map, std::string("'") + key + "' must be an identifier ([a-z0-9][a-z0-9-]*)");
    return value;
  }

  std::chrono::seconds duration(const YAML::Node& map, const char* key, std::chrono::seconds fallback) const {
    const YAML::Node node = map[key];
    if (!node) return fallback;
    auto parsed = node.IsScalar() ? parse_duration(node.as<std::string>()) : std::nullopt;
    if (!parsed || *parsed < std::chrono::seconds(1) || *parsed > std::chrono::hours(24) || parsed->count() % 1000 != 0)
      fail(node, std::string("'") + key + "' must be whole seconds from 1s to 24h, such as 10m");
    return std::chrono::duration_cast<std::chrono::seconds>(*parsed);
  }

  bool boolean(const YAML::Node& map, const char* key) const {
    const YAML::Node node = map[key];
    if (!node) return false;
    auto value = node.IsScalar() ? node.as<std::string>() : "";
    if (value != "true" && value != "false") fail(node, std::string("'") + key + "' must be true or false");
    return value == "true";
  }

  SecretRef secret(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "a Secret reference is {name: <Secret>, key: <key>}");
    only_keys(node, {"name", "key"});
    return SecretRef{text(node, "name", std::nullopt), text(node, "key", std::nullopt)};
  }

  ScheduledTask task(const YAML::Node& item) const {
    if (!item.IsMap()) fail(item, "a fan-out task is {task, params, priority}");
    only_keys(item, {"task", "params", "priority"});
    return task_fields(item);
  }

  ScheduledTask task_fields(const YAML::Node& map) const {
    ScheduledTask t;
    t.task = text(map, "task", std::nullopt);
    if (!contract::parse_task_name(t.task)) fail(map["task"], "task '" + t.task + "' is not <domain>.<action> (identifiers)");
    if (const YAML::Node params = map["params"]) {
      t.params = config::yaml_to_json(params);
      if (!t.params.is_object()) fail(params, "params of " + t.task + " must be a mapping");
    }
    t.priority = text(map, "priority", std::string("normal"));
    if (!contract::parse_priority(t.priority)) fail(map["priority"], "priority must be low, normal, high or critical");
    return t;
  }

  Schedule schedule(const YAML::Node& item) const {
    if (!item.IsMap()) fail(item, "each schedule is a mapping (name, schedule, timeZone, task or fanout, ...)");
    only_keys(item, {"name", "schedule", "timeZone", "task", "params", "priority", "fanout", "deadline", "startingDeadline", "notify", "suspend"});
    Schedule s;
    s.name = identifier(item, "name", std::nullopt);
    if (s.name.size() > kMaxScheduleName) fail(item["name"], "name is longer than " + std::to_string(kMaxScheduleName) + " characters");
    s.cron = text(item, "schedule", std::nullopt);
    if (auto why = cron_problem(s.cron)) fail(item["schedule"], "schedule '" + s.cron + "': " + *why);
    s.time_zone = text(item, "timeZone", std::nullopt);
    if (auto why = time_zone_problem(s.time_zone, zoneinfo_)) fail(item["timeZone"], *why);
    if (item["task"] && item["fanout"]) fail(item, "a schedule has either task (an ask) or fanout (a list of tasks), not both");
    if (item["task"]) {
      s.tasks.push_back(task_fields(item));
    } else if (const YAML::Node list = item["fanout"]) {
      if (item["params"] || item["priority"]) fail(item, "params and priority belong to each task of the fanout list");
      if (!list.IsSequence() || list.size() == 0) fail(list, "fanout must be a non-empty list of {task, params, priority}");
      for (const auto& t : list) s.tasks.push_back(task(t));
      s.fanout = true;
    } else {
      fail(item, "a schedule needs task: <domain>.<action> (an ask) or fanout: [...]");
    }
    s.deadline = duration(item, "deadline", s.deadline);
    s.starting_deadline = duration(item, "startingDeadline", s.starting_deadline);
    if (const YAML::Node notify = item["notify"]) {
      if (!notify.IsMap()) fail(notify, "notify is {secret: {name, key}, format: auto|ntfy|slack|discord|json}");
      only_keys(notify, {"secret", "format"});
      if (!notify["secret"]) fail(notify, "notify needs secret: {name, key} (the URL is a secret: never written in this file)");
      s.notify = secret(notify["secret"]);
      s.notify_format = text(notify, "format", std::string("auto"));
      if (s.notify_format != "auto" && !parse_notify_format(s.notify_format)) fail(notify["format"], "format must be auto, ntfy, slack, discord or json");
    }
    s.suspend = boolean(item, "suspend");
    return s;
  }

 private:
  std::string origin_;
  std::filesystem::path zoneinfo_;
};

}  // namespace

ScheduleFile parse_schedule_yaml(const std::string& text, const std::string& origin, const std::filesystem::path& zoneinfo_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw config::ConfigError("schedule", origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Reader r(origin, zoneinfo_dir);
  if (!root.IsMap()) r.fail(root, "expected a mapping: fleet, schedules (and image, nats)");
  r.only_keys(root, {"fleet", "image", "nats", "schedules"});
  ScheduleFile f;
  f.fleet = r.identifier(root, "fleet", std::nullopt);
  f.image = r.text(root, "image", f.image);
  f.nats_user = f.fleet;
  f.nats_password = SecretRef{"nats-credentials", f.fleet + "-password"};
  if (const YAML::Node nats = root["nats"]) {
    if (!nats.IsMap()) r.fail(nats, "nats is {url, user, passwordSecret: {name, key}}");
    r.only_keys(nats, {"url", "user", "passwordSecret"});
    f.nats_url = r.text(nats, "url", f.nats_url);
    if (f.nats_url.find('@') != std::string::npos) r.fail(nats["url"], "no credentials in nats.url: use user and passwordSecret");
    f.nats_user = r.text(nats, "user", f.nats_user);
    if (nats["passwordSecret"]) f.nats_password = r.secret(nats["passwordSecret"]);
  }
  const YAML::Node list = root["schedules"];
  if (!list || !list.IsSequence() || list.size() == 0) r.fail(list ? list : root, "schedules must be a non-empty list");
  std::set<std::string> names;
  for (const auto& item : list) {
    f.schedules.push_back(r.schedule(item));
    if (!names.insert(f.schedules.back().name).second) r.fail(item["name"], "two schedules are named " + f.schedules.back().name);
  }
  return f;
}

ScheduleFile read_schedule_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw config::ConfigError("schedule", "cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_schedule_yaml(text.str(), file.string());
}

}  // namespace rt::cli
