// --notify: which format a URL gets, and what each format's request looks like.
#include <algorithm>

#include "roundtable/cli/notify.hpp"
#include "roundtable/cli/views.hpp"
#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

using nlohmann::json;

std::string to_string(NotifyFormat format) {
  switch (format) {
    case NotifyFormat::ntfy: return "ntfy";
    case NotifyFormat::slack: return "slack";
    case NotifyFormat::discord: return "discord";
    case NotifyFormat::json: return "json";
  }
  return "json";
}

std::optional<NotifyFormat> parse_notify_format(std::string_view name) {
  for (auto f : {NotifyFormat::ntfy, NotifyFormat::slack, NotifyFormat::discord, NotifyFormat::json})
    if (name == to_string(f)) return f;
  return std::nullopt;
}

namespace {

struct UrlParts {
  std::string host;  // lower case, without user info and port
  std::string path;  // from the first '/', without query
};

UrlParts url_parts(std::string_view url) {
  auto scheme_end = url.find("://");
  size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  std::string authority(url.substr(start, end - start));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (authority.starts_with('[')) authority = authority.substr(0, authority.find(']') + 1);
  else if (auto colon = authority.find(':'); colon != std::string::npos) authority = authority.substr(0, colon);
  std::string path;
  if (end < url.size() && url[end] == '/') path = std::string(url.substr(end, url.find_first_of("?#", end) - end));
  return {to_lower(authority), path};
}

bool host_is(const std::string& host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
}

// Slack's mrkdwn treats these three as control characters (api.slack.com, "Escaping text").
std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '&') out += "&amp;";
    else if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else out += ch;
  }
  return out;
}

std::string failure_text(const nats::TaskAnswer& a, std::chrono::milliseconds waited) {
  if (!a.answered) return "no result within " + format_duration(waited) + " for " + a.task + " (task " + a.task_id + ")";
  return "failed: " + a.content() + " (task " + a.task_id + ", answered by " + (a.agent.empty() ? "?" : a.agent) + ")";
}

}  // namespace

NotifyFormat detect_notify_format(std::string_view url) {
  auto parts = url_parts(url);
  if (host_is(parts.host, "ntfy.sh") || parts.host.starts_with("ntfy.") || parts.path.starts_with("/ntfy")) return NotifyFormat::ntfy;
  if (parts.host == "hooks.slack.com") return NotifyFormat::slack;
  if ((host_is(parts.host, "discord.com") || host_is(parts.host, "discordapp.com")) && parts.path.starts_with("/api/webhooks/"))
    return NotifyFormat::discord;
  return NotifyFormat::json;
}

std::string notify_target(std::string_view url) {
  auto scheme_end = url.find("://");
  size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  std::string origin = redact_url(url.substr(0, end));
  return end < url.size() ? origin + "/…" : origin;
}

NotifyMessage notify_message_for_ask(const nats::TaskAnswer& answer, std::chrono::milliseconds waited) {
  NotifyMessage m;
  m.ok = answer.completed;
  m.title = answer.completed ? answer.task : answer.task + (answer.answered ? " failed" : " timed out");
  m.text = answer.completed ? answer.content() : failure_text(answer, waited);
  m.document = to_json(answer);
  m.task_ids = {answer.task_id};
  return m;
}

NotifyMessage notify_message_for_fanout(const std::vector<nats::TaskAnswer>& answers, std::chrono::milliseconds waited) {
  NotifyMessage m;
  auto completed = std::count_if(answers.begin(), answers.end(), [](const nats::TaskAnswer& a) { return a.completed; });
  m.ok = completed == static_cast<long>(answers.size());
  m.title = "fanout: " + std::to_string(completed) + "/" + std::to_string(answers.size()) + " completed";
  json tasks = json::array();
  for (const auto& a : answers) {
    if (!m.text.empty()) m.text += "\n\n";
    m.text += a.task + " (" + answer_status(a) + ")\n" + (a.completed ? a.content() : failure_text(a, waited));
    tasks.push_back(to_json(a));
    m.task_ids.push_back(a.task_id);
  }
  m.document = json{{"tasks", tasks}, {"ok", m.ok}};
  return m;
}

std::string cut_code_points(std::string_view text, size_t limit) {
  size_t count = 0;
  size_t keep = 0;  // bytes of the first limit-1 code points, in case the text must be cut
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (count == limit - 1) keep = i;
    if (++count > limit) return std::string(text.substr(0, keep)) + "…";
  }
  return std::string(text);
}

NotifyRequest notify_request(NotifyFormat format, const NotifyMessage& message) {
  NotifyRequest r;
  switch (format) {
    case NotifyFormat::ntfy:
      r.content_type = "text/plain; charset=utf-8";
      r.body = message.text.size() > kNtfyMessageLimit ? excerpt(message.text, kNtfyMessageLimit - 3) : message.text;
      r.headers = {{"Title", message.title},
                   {"Tags", message.ok ? "white_check_mark" : "warning"},
                   {"Priority", message.ok ? "default" : "high"},
                   {"Markdown", "yes"}};
      break;
    case NotifyFormat::slack:
      r.content_type = "application/json";
      r.body = json{{"text", cut_code_points("*" + slack_escape(message.title) + "*\n" + slack_escape(message.text), kSlackTextLimit)},
                    {"mrkdwn", true}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
      break;
    case NotifyFormat::discord:
      r.content_type = "application/json";
      // An answer quoting "@everyone" must not ping a whole server.
      r.body = json{{"content", cut_code_points("**" + message.title + "**\n" + message.text, kDiscordContentLimit)},
                    {"allowed_mentions", {{"parse", json::array()}}}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
      break;
    case NotifyFormat::json:
      r.content_type = "application/json";
      r.body = json{{"title", message.title}, {"ok", message.ok}, {"text", message.text}, {"result", message.document}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
      break;
  }
  return r;
}

}  // namespace rt::cli
