#pragma once
// ask/fanout --notify: the answer delivered where a person reads it (an ntfy topic, a Slack or
// Discord webhook, any JSON endpoint), with bounded retries, and the delivery recorded on the
// bus as a task.notified event (docs/contract.md §1, §4).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/cli/cli.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "roundtable/nats/task_client.hpp"

namespace rt::cli {

enum class NotifyFormat { ntfy, slack, discord, json };

std::string to_string(NotifyFormat format);
// "auto" is not a format: it means detect_notify_format per URL.
std::optional<NotifyFormat> parse_notify_format(std::string_view name);
// ntfy.sh, a host named ntfy.* or a path starting /ntfy -> ntfy; hooks.slack.com -> slack;
// discord.com or discordapp.com /api/webhooks/ -> discord; anything else -> json.
NotifyFormat detect_notify_format(std::string_view url);

// What a notification says, built from the answers of one ask or fanout.
struct NotifyMessage {
  std::string title;         // one line: "lead.briefing", "lead.briefing failed", "fanout: 3/4 completed"
  std::string text;          // the answer, or the failure a person should know about
  bool ok = true;            // every task completed
  nlohmann::json document;   // the json format's body: ask --json's object, or fanout --json's
  std::vector<std::string> task_ids;
};
NotifyMessage notify_message_for_ask(const nats::TaskAnswer& answer, std::chrono::milliseconds waited);
NotifyMessage notify_message_for_fanout(const std::vector<nats::TaskAnswer>& answers, std::chrono::milliseconds waited);

// The HTTP request body and headers of one format.
struct NotifyRequest {
  std::string content_type;
  std::string body;
  std::multimap<std::string, std::string> headers;
};
inline constexpr size_t kDiscordContentLimit = 2000;   // characters (code points), Discord's cap on content
inline constexpr size_t kNtfyMessageLimit = 4096;      // bytes; ntfy turns longer messages into attachments
inline constexpr size_t kSlackTextLimit = 39000;       // characters; Slack truncates text past 40,000
NotifyRequest notify_request(NotifyFormat format, const NotifyMessage& message);
// Cuts to at most `limit` code points, ending in "…" when cut; never splits a UTF-8 sequence.
std::string cut_code_points(std::string_view text, size_t limit);

struct NotifyPolicy {
  int attempts = 5;                                   // tries in all, 1 to 10
  std::chrono::milliseconds first_delay{1000};        // doubled after each try
  std::chrono::milliseconds max_delay{30000};         // also the cap on a Retry-After
  std::chrono::milliseconds timeout{10000};           // per request
};
// 408, 429 and 5xx (and no answer at all) are tried again; other statuses are final.
bool notify_status_retryable(int status);

struct Delivery {
  std::string target;        // the URL with user info redacted and the path's secret part hidden
  NotifyFormat format = NotifyFormat::json;
  bool delivered = false;
  int attempts = 0;
  int http_status = 0;       // the last answer's, 0 when none came
  std::string error;         // why it was not delivered
};
// The URL as it may appear in logs and events: scheme, host and port, then "/…" for any path
// (Slack and Discord webhook paths are the secret; so may an ntfy topic be).
std::string notify_target(std::string_view url);

// POSTs the message to url, trying again per policy. Never throws.
Delivery deliver_notification(const std::string& url, NotifyFormat format, const NotifyMessage& message, const NotifyPolicy& policy);

// The task.notified event of one delivery about one task (docs/contract.md §4).
nlohmann::json notified_payload(const Delivery& delivery, const std::string& task_id);

// ask/fanout's notify settings: --notify URL[,URL...] and ROUNDTABLE_NOTIFY_URL (environment),
// --notify-format, --notify-attempts, --notify-backoff. Throws config::ConfigError.
struct NotifySettings {
  std::vector<std::string> urls;
  std::optional<NotifyFormat> format;  // nullopt: auto
  NotifyPolicy policy;
};
NotifySettings notify_settings(const config::Settings& s);
extern const std::vector<std::string> kNotifyFlags;        // NOTIFY, NOTIFY_FORMAT, NOTIFY_ATTEMPTS, NOTIFY_BACKOFF
extern const std::vector<std::string> kNotifyEnvironment;  // ROUNDTABLE_NOTIFY_URL
// The exit code of ask/fanout when the answer came but a notification could not be delivered.
inline constexpr int kExitNotifyFailed = 3;

// Delivers to every URL and publishes one task.notified event per delivery and task. Prints one
// line to stderr per failed delivery. Returns whether every delivery succeeded (true when there
// was nothing to deliver).
bool notify_all(const NotifySettings& settings, const NotifyMessage& message, nats::JetStream& js, const std::string& fleet,
                const std::string& from);

// When the task never went out (NATS unreachable, the publish refused): posts "<what> not sent"
// with the reason to every URL (no event: the bus is what failed), then throws
// std::runtime_error(reason), so a scheduled briefing that could not even be asked is heard of.
[[noreturn]] void fail_notifying(const NotifySettings& settings, const std::string& what, const std::string& reason);
// connect_bus, with fail_notifying when it cannot connect.
Bus connect_bus_notifying(const config::Settings& s, const NotifySettings& notify, const std::string& what);

// The command's exit code: the task's outcome, else kExitNotifyFailed when a delivery failed.
inline int exit_with_notify(int task_exit_code, bool delivered) {
  return task_exit_code != 0 || delivered ? task_exit_code : kExitNotifyFailed;
}

}  // namespace rt::cli
