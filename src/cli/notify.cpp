// --notify: POST the answer to each URL with bounded retries, then record the delivery as a
// task.notified event.
#include <cstdio>
#include <thread>

#include "roundtable/cli/notify.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/http/client_pool.hpp"

namespace rt::cli {

using nlohmann::json;

const std::vector<std::string> kNotifyFlags = {"NOTIFY", "NOTIFY_FORMAT", "NOTIFY_ATTEMPTS", "NOTIFY_BACKOFF"};
const std::vector<std::string> kNotifyEnvironment = {"ROUNDTABLE_NOTIFY_URL"};

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

struct HttpTarget {
  std::string origin;  // scheme://host[:port], what httplib::Client takes
  std::string path;    // path and query, "/" at least
  std::string user, password;
};

HttpTarget http_target(const std::string& url) {
  auto scheme_end = url.find("://");
  size_t start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  HttpTarget t;
  std::string authority = url.substr(start, end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    auto info = authority.substr(0, at);
    auto colon = info.find(':');
    t.user = info.substr(0, colon);
    if (colon != std::string::npos) t.password = info.substr(colon + 1);
    authority = authority.substr(at + 1);
  }
  t.origin = url.substr(0, scheme_end + 3) + authority;
  t.path = url.substr(end, url.find('#', end) - end);
  if (t.path.empty() || t.path[0] != '/') t.path = "/" + t.path;
  return t;
}

std::optional<std::chrono::milliseconds> retry_after(const httplib::Response& res) {
  auto text = trim(res.get_header_value("Retry-After"));
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::chrono::seconds(std::stoll(text));
}

bool notify_url_ok(const std::string& url) {
  auto t = url.starts_with("https://") ? 8u : url.starts_with("http://") ? 7u : 0u;
  return t != 0 && url.size() > t && url.find_first_of("/?#@", t) != t &&
         url.find_first_of(" \t\r\n") == std::string::npos;
}

}  // namespace

bool notify_status_retryable(int status) { return status == 408 || status == 429 || status >= 500; }

Delivery deliver_notification(const std::string& url, NotifyFormat format, const NotifyMessage& message, const NotifyPolicy& policy) {
  Delivery d;
  d.target = notify_target(url);
  d.format = format;
  auto target = http_target(url);
  auto request = notify_request(format, message);
  http::HttpClientPool pool(target.origin, policy.timeout);
  auto delay = policy.first_delay;
  for (int attempt = 1; attempt <= policy.attempts; ++attempt) {
    d.attempts = attempt;
    std::optional<std::chrono::milliseconds> wait_asked;
    {
      auto client = pool.borrow();
      if (!target.user.empty()) client->set_basic_auth(target.user.c_str(), target.password.c_str());
      httplib::Request req;
      req.method = "POST";
      req.path = target.path;
      for (const auto& [name, value] : request.headers) req.set_header(name.c_str(), value.c_str());
      req.set_header("Content-Type", request.content_type.c_str());
      req.body = request.body;
      std::string answer;
      req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        if (answer.size() + size > kMaxAnswerBytes) return false;
        answer.append(data, size);
        return true;
      };
      auto res = client->send(req);
      if (!res) {
        d.http_status = 0;
        d.error = "no answer: " + httplib::to_string(res.error());
      } else {
        d.http_status = res->status;
        if (res->status >= 200 && res->status < 300) {
          d.delivered = true;
          d.error.clear();
          return d;
        }
        d.error = "HTTP " + std::to_string(res->status) + (answer.empty() ? "" : ": " + terminal_safe(excerpt(answer, 200)));
        if (!notify_status_retryable(res->status)) return d;
        wait_asked = retry_after(*res);
      }
    }
    if (attempt == policy.attempts) break;
    std::this_thread::sleep_for(std::min(wait_asked.value_or(delay), policy.max_delay));
    delay = std::min(delay * 2, policy.max_delay);
  }
  d.error += " (gave up after " + std::to_string(d.attempts) + (d.attempts == 1 ? " attempt)" : " attempts)");
  return d;
}

json notified_payload(const Delivery& delivery, const std::string& task_id) {
  json p = {{"taskId", task_id},
            {"target", delivery.target},
            {"format", to_string(delivery.format)},
            {"status", delivery.delivered ? "delivered" : "failed"},
            {"attempts", delivery.attempts}};
  if (delivery.http_status != 0) p["httpStatus"] = delivery.http_status;
  if (!delivery.delivered) p["error"] = delivery.error;
  return p;
}

NotifySettings notify_settings(const config::Settings& s) {
  NotifySettings out;
  for (const auto* name : {"NOTIFY", "ROUNDTABLE_NOTIFY_URL"}) {
    auto value = s.optional_text(name);
    if (!value) continue;
    for (const auto& item : split(*value, ',')) {
      auto url = trim(item);
      if (url.empty()) continue;
      if (!notify_url_ok(url)) s.fail(name, "a comma list of http:// or https:// URLs", notify_target(url));
      out.urls.push_back(url);
    }
  }
  auto format = s.choice("NOTIFY_FORMAT", "auto", {"auto", "ntfy", "slack", "discord", "json"});
  if (format != "auto") out.format = parse_notify_format(format);
  out.policy.attempts = static_cast<int>(s.integer("NOTIFY_ATTEMPTS", 5, 1, 10));
  out.policy.first_delay = s.duration("NOTIFY_BACKOFF", std::chrono::seconds(1));
  if (out.policy.first_delay > out.policy.max_delay) s.fail("NOTIFY_BACKOFF", "at most 30s", s.text("NOTIFY_BACKOFF", ""));
  return out;
}

bool notify_all(const NotifySettings& settings, const NotifyMessage& message, nats::JetStream& js, const std::string& fleet,
                const std::string& from) {
  bool all = true;
  for (const auto& url : settings.urls) {
    auto format = settings.format.value_or(detect_notify_format(url));
    auto d = deliver_notification(url, format, message, settings.policy);
    all = all && d.delivered;
    if (d.delivered)
      std::fprintf(stderr, "notified %s (%s, %d attempt%s)\n", d.target.c_str(), to_string(format).c_str(), d.attempts, d.attempts == 1 ? "" : "s");
    else
      std::fprintf(stderr, "notify %s (%s) failed: %s\n", d.target.c_str(), to_string(format).c_str(), d.error.c_str());
    auto subject = contract::event_subject(fleet, "task.notified");
    for (const auto& task_id : message.task_ids) {
      auto env = contract::make_envelope("task.notified", from, notified_payload(d, task_id), std::chrono::system_clock::now());
      env.to = from;
      env.fleet = fleet;
      env.correlation_id = task_id;
      auto ack = subject ? js.publish(*subject, contract::serialize(env), env.id) : Result<nats::PublishAck>(subject.error());
      if (!ack) std::fprintf(stderr, "could not record task.notified for task %s: %s\n", task_id.c_str(), ack.error().message.c_str());
    }
  }
  return all;
}

void fail_notifying(const NotifySettings& settings, const std::string& what, const std::string& reason) {
  NotifyMessage m;
  m.title = what + " not sent";
  m.text = reason;
  m.ok = false;
  m.document = json{{"task", what}, {"status", "not_sent"}, {"message", reason}};
  for (const auto& url : settings.urls) {
    auto format = settings.format.value_or(detect_notify_format(url));
    auto d = deliver_notification(url, format, m, settings.policy);
    if (d.delivered) std::fprintf(stderr, "notified %s (%s): %s\n", d.target.c_str(), to_string(format).c_str(), m.title.c_str());
    else std::fprintf(stderr, "notify %s (%s) failed: %s\n", d.target.c_str(), to_string(format).c_str(), d.error.c_str());
  }
  throw std::runtime_error(reason);
}

Bus connect_bus_notifying(const config::Settings& s, const NotifySettings& notify, const std::string& what) {
  try {
    return connect_bus(s);
  } catch (const std::runtime_error& e) {
    fail_notifying(notify, what, e.what());
  }
}

}  // namespace rt::cli
