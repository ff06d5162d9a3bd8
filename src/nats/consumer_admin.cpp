// Consumer administration over the JetStream API's JSON requests (docs/contract.md §3).
#include "roundtable/nats/consumer_admin.hpp"

namespace rt::nats {
namespace {

using nlohmann::json;

constexpr int kJsConsumerNotFound = 10014;
constexpr int kJsStreamNotFound = 10059;

uint64_t count_of(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_integer()) return 0;
  auto value = it->get<int64_t>();
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

// Go's zero time (year 1) means "never"; parse_rfc3339 refuses it as out of the clock's range.
std::optional<SystemTime> time_of(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return parse_rfc3339(it->get<std::string>());
}

// The JetStream API answers a request with either the object asked for or {"error": {...}}.
Result<json> api_request(Connection& connection, const std::string& subject, const json& body, std::chrono::milliseconds timeout) {
  auto reply = connection.request(subject, body.dump(), timeout);
  if (!reply) return make_error(reply.error().code, subject + ": " + reply.error().message);
  auto answer = json::parse(reply->data(), nullptr, false);
  if (!answer.is_object()) return make_error(ErrorCode::internal_error, subject + ": unreadable answer");
  if (auto error = answer.find("error"); error != answer.end() && error->is_object()) {
    int code = error->value("err_code", 0);
    std::string text = error->value("description", std::string("error"));
    bool missing = code == kJsConsumerNotFound || code == kJsStreamNotFound || error->value("code", 0) == 404;
    return make_error(missing ? ErrorCode::not_found : ErrorCode::unavailable, subject + ": " + text);
  }
  return answer;
}

}  // namespace

ConsumerActivity consumer_activity_from(const json& info) {
  ConsumerActivity c;
  if (!info.is_object()) return c;
  c.name = info.value("name", std::string());
  if (auto config = info.find("config"); config != info.end() && config->is_object())
    c.filter_subject = config->value("filter_subject", std::string());
  c.pending = count_of(info, "num_pending");
  c.ack_pending = count_of(info, "num_ack_pending");
  c.redelivered = count_of(info, "num_redelivered");
  c.waiting = count_of(info, "num_waiting");
  c.created = time_of(info, "created");
  if (auto delivered = info.find("delivered"); delivered != info.end() && delivered->is_object() && count_of(*delivered, "consumer_seq") > 0)
    c.last_delivered = time_of(*delivered, "last_active");
  return c;
}

Result<std::vector<ConsumerActivity>> list_consumer_activity(Connection& connection, std::string_view stream,
                                                             std::chrono::milliseconds timeout) {
  const std::string subject = "$JS.API.CONSUMER.LIST." + std::string(stream);
  std::vector<ConsumerActivity> out;
  while (true) {
    auto page = api_request(connection, subject, json{{"offset", out.size()}}, timeout);
    if (!page) return page.error();
    auto list = page->find("consumers");
    if (list == page->end() || !list->is_array() || list->empty()) break;
    for (const auto& info : *list) out.push_back(consumer_activity_from(info));
    if (out.size() >= count_of(*page, "total")) break;
  }
  return out;
}

}  // namespace rt::nats
