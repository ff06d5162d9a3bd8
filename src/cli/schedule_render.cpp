// A schedule file as Kubernetes objects: CronJobs (restricted pods, never two runs at once), the
// fan-out tasks files as ConfigMaps, and the NetworkPolicies the runs need.
#include <set>

#include "roundtable/cli/schedule.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

constexpr const char* kBinary = "/usr/local/bin/roundtable";
constexpr const char* kTasksDir = "/etc/roundtable/schedule";
constexpr const char* kPodName = "roundtable-schedule";
// After the task's deadline: connecting, and the notify retries (5 tries of at most 10s with
// 1+2+4+8s between them).
constexpr std::chrono::seconds kRunMargin{120};
const char* const kPrivateRanges[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"};

json labels_of(const ScheduleFile& file, const Schedule& s) {
  return {{"app.kubernetes.io/name", kPodName},
          {"app.kubernetes.io/part-of", "roundtable"},
          {"roundtable.dev/fleet", file.fleet},
          {"roundtable.dev/schedule", s.name}};
}

json secret_env(const std::string& name, const SecretRef& ref) {
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", ref.name}, {"key", ref.key}}}}}};
}

json container_of(const ScheduleFile& file, const Schedule& s) {
  auto argv = schedule_command(file, s);
  json env = json::array({{{"name", "FLEET_ID"}, {"value", file.fleet}},
                          {{"name", "NATS_URL"}, {"value", file.nats_url}},
                          {{"name", "NATS_USER"}, {"value", file.nats_user}},
                          secret_env("NATS_PASSWORD", file.nats_password)});
  if (s.notify) env.push_back(secret_env("ROUNDTABLE_NOTIFY_URL", *s.notify));
  json c = {{"name", "run"},
            {"image", file.image},
            {"command", json::array({argv.front()})},
            {"args", std::vector<std::string>(argv.begin() + 1, argv.end())},
            {"env", env},
            {"resources", {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}, {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}}}}},
            {"securityContext",
             {{"allowPrivilegeEscalation", false}, {"readOnlyRootFilesystem", true}, {"capabilities", {{"drop", json::array({"ALL"})}}}}}};
  if (s.fanout) c["volumeMounts"] = json::array({{{"name", "tasks"}, {"mountPath", kTasksDir}, {"readOnly", true}}});
  return c;
}

std::string tasks_config_map_name(const Schedule& s) { return "roundtable-" + s.name + "-tasks"; }

json cron_job(const ScheduleFile& file, const Schedule& s) {
  json pod = {{"restartPolicy", "Never"},
              {"automountServiceAccountToken", false},
              {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 10001}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
              {"containers", json::array({container_of(file, s)})}};
  if (s.fanout) pod["volumes"] = json::array({{{"name", "tasks"}, {"configMap", {{"name", tasks_config_map_name(s)}}}}});
  json spec = {{"schedule", s.cron},
               {"timeZone", s.time_zone},
               // Never two runs at once: a run still waiting for its answer makes the next one skip.
               {"concurrencyPolicy", "Forbid"},
               {"startingDeadlineSeconds", s.starting_deadline.count()},
               {"suspend", s.suspend},
               {"successfulJobsHistoryLimit", 3},
               {"failedJobsHistoryLimit", 3},
               {"jobTemplate",
                {{"metadata", {{"labels", labels_of(file, s)}}},
                 {"spec",
                  // No second attempt: a failure is already notified, and a re-run would ask twice.
                  {{"backoffLimit", 0},
                   {"activeDeadlineSeconds", (s.deadline + kRunMargin).count()},
                   {"template", {{"metadata", {{"labels", labels_of(file, s)}}}, {"spec", pod}}}}}}}};
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata", {{"name", "roundtable-" + s.name}, {"labels", labels_of(file, s)}}},
          {"spec", spec}};
}

json tasks_config_map(const ScheduleFile& file, const Schedule& s) {
  json tasks = json::array();
  for (const auto& t : s.tasks) tasks.push_back({{"task", t.task}, {"params", t.params}, {"priority", t.priority}});
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", tasks_config_map_name(s)}, {"labels", labels_of(file, s)}}},
          {"data", {{"tasks.yaml", json{{"tasks", tasks}}.dump() + "\n"}}}};
}

json pod_selector() { return {{"matchLabels", {{"app.kubernetes.io/name", kPodName}}}}; }
json nats_pods() { return {{"matchLabels", {{"app.kubernetes.io/name", "nats"}, {"app.kubernetes.io/component", "nats"}}}}; }

std::vector<json> network_policies() {
  json external = {{"cidr", "0.0.0.0/0"}, {"except", kPrivateRanges}};
  json egress = {
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "NetworkPolicy"},
      {"metadata", {{"name", "roundtable-schedules-egress"}}},
      {"spec",
       {{"podSelector", pod_selector()},
        {"policyTypes", {"Egress"}},
        {"egress",
         json::array({{{"to", json::array({{{"podSelector", nats_pods()}}})}, {"ports", json::array({{{"protocol", "TCP"}, {"port", 4222}}})}},
                      {{"to", json::array({{{"namespaceSelector", json::object()}, {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}})},
                       {"ports", json::array({{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}})}},
                      {{"to", json::array({{{"ipBlock", external}}})}, {"ports", json::array({{{"protocol", "TCP"}, {"port", 443}}})}}})}}}};
  json ingress = {{"apiVersion", "networking.k8s.io/v1"},
                  {"kind", "NetworkPolicy"},
                  {"metadata", {{"name", "roundtable-schedules-ingress"}}},
                  {"spec", {{"podSelector", pod_selector()}, {"policyTypes", {"Ingress"}}, {"ingress", json::array()}}}};
  json nats = {{"apiVersion", "networking.k8s.io/v1"},
               {"kind", "NetworkPolicy"},
               {"metadata", {{"name", "nats-ingress-schedules"}}},
               {"spec",
                {{"podSelector", nats_pods()},
                 {"policyTypes", {"Ingress"}},
                 {"ingress", json::array({{{"from", json::array({{{"podSelector", pod_selector()}}})},
                                           {"ports", json::array({{{"protocol", "TCP"}, {"port", 4222}}})}}})}}}};
  return {egress, ingress, nats};
}

bool plain_scalar_ok(const std::string& text) {
  if (text.empty() || text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") != std::string::npos)
    return false;
  if (!std::isalpha(static_cast<unsigned char>(text[0])) && text[0] != '/') return false;
  auto lower = to_lower(text);
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
    if (lower == word) return false;
  return true;
}

std::string scalar(const json& value) {
  if (value.is_string()) {
    auto text = value.get<std::string>();
    return plain_scalar_ok(text) ? text : value.dump();  // a JSON string is a YAML double-quoted scalar
  }
  if (value.is_object()) return "{}";
  if (value.is_array()) return "[]";
  return value.dump();
}

bool is_block(const json& value) { return (value.is_object() || value.is_array()) && !value.empty(); }

void emit(const json& value, size_t indent, std::string& out) {
  std::string pad(indent, ' ');
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      out += pad + scalar(json(key)) + ":";
      if (is_block(item)) {
        out += "\n";
        emit(item, indent + 2, out);
      } else {
        out += " " + scalar(item) + "\n";
      }
    }
    return;
  }
  for (const auto& item : value) {
    if (!is_block(item)) {
      out += pad + "- " + scalar(item) + "\n";
      continue;
    }
    std::string nested;
    emit(item, indent + 2, nested);
    out += pad + "- " + nested.substr(indent + 2);
  }
}

}  // namespace

std::vector<std::string> schedule_command(const ScheduleFile& file, const Schedule& s) {
  (void)file;
  std::vector<std::string> argv{kBinary};
  auto wait = format_duration(s.deadline);
  if (s.fanout) {
    argv.insert(argv.end(), {"fanout", std::string(kTasksDir) + "/tasks.yaml", "--wait", wait});
  } else {
    const auto& t = s.tasks.front();
    argv.insert(argv.end(), {"ask", t.task});
    if (!t.params.empty()) argv.insert(argv.end(), {"--params", t.params.dump()});
    if (t.priority != "normal") argv.insert(argv.end(), {"--priority", t.priority});
    // The task expires with the run: a briefing nobody waits for any more is not worth answering.
    argv.insert(argv.end(), {"--wait", wait, "--ttl", wait});
  }
  argv.insert(argv.end(), {"--from", s.name});
  if (s.notify) argv.insert(argv.end(), {"--notify-format", s.notify_format});
  return argv;
}

std::vector<json> schedule_objects(const std::vector<ScheduleFile>& files) {
  std::vector<json> out;
  std::set<std::string> names;
  for (const auto& file : files) {
    for (const auto& s : file.schedules) {
      if (!names.insert(s.name).second)
        throw config::ConfigError("schedule", "two schedules are named " + s.name + " (names are unique across fleets: CronJob roundtable-<name>)");
      if (s.fanout) out.push_back(tasks_config_map(file, s));
      out.push_back(cron_job(file, s));
    }
  }
  for (auto& policy : network_policies()) out.push_back(std::move(policy));
  return out;
}

std::string to_yaml_stream(const std::vector<json>& objects, const std::string& header_comment) {
  std::string out;
  for (const auto& line : split(header_comment, '\n'))
    if (!line.empty()) out += "# " + line + "\n";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += "---\n";
    emit(objects[i], 0, out);
  }
  return out;
}

}  // namespace rt::cli
