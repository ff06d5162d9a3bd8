// The MCP server's view of the fleet: roster from heartbeats, tasks over the bus.
#include <algorithm>

#include "roundtable/cli/mcp/fleet.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::cli::mcp {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// A waiting call looks up every slice whether it was cancelled; results that went by while the
// connection was down are looked for in the stream every check.
constexpr auto kSlice = std::chrono::milliseconds(250);
constexpr auto kStreamCheck = std::chrono::seconds(2);

std::vector<std::string> capabilities_of(const json& heartbeat) {
  std::vector<std::string> out;
  if (!heartbeat.is_object()) return out;
  auto payload = heartbeat.find("payload");
  if (payload == heartbeat.end() || !payload->is_object()) return out;
  auto list = payload->find("capabilities");
  if (list == payload->end() || !list->is_array()) return out;
  for (const auto& item : *list)
    if (item.is_string() && std::find(out.begin(), out.end(), item.get<std::string>()) == out.end()) out.push_back(item.get<std::string>());
  return out;
}

// Bus input: a field of the wrong type reads as empty.
std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

size_t answered_count(const std::vector<nats::TaskAnswer>& answers) {
  return static_cast<size_t>(std::count_if(answers.begin(), answers.end(), [](const nats::TaskAnswer& a) { return a.answered; }));
}

}  // namespace

json to_json(const Knight& knight) {
  json out = cli::to_json(knight.entry);
  out["capabilities"] = knight.capabilities;
  return out;
}

Fleet::Fleet(Bus bus, std::string fleet, std::string from, std::chrono::seconds stale_after)
    : bus_(std::move(bus)), fleet_(std::move(fleet)), from_(std::move(from)), stale_after_(stale_after) {}

Result<std::vector<Knight>> Fleet::roster() {
  auto subjects = bus_.js->subjects(contract::kHeartbeatStream, fleet_ + ".heartbeat.*");
  if (!subjects) return make_error(subjects.error().code, "cannot read " + std::string(contract::kHeartbeatStream) + ": " +
                                                              explain_stream_error(subjects.error()));
  std::sort(subjects->begin(), subjects->end());
  std::vector<Knight> knights;
  for (const auto& subject : *subjects) {
    auto last = bus_.js->last_message(contract::kHeartbeatStream, subject);
    if (!last) return make_error(last.error().code, "cannot read " + subject + ": " + last.error().message);
    if (!last->has_value()) continue;  // aged out between the listing and the read
    auto beat = parse_json_bounded((*last)->data());  // a heartbeat is bus input: bounded
    json doc = beat ? std::move(*beat) : json();
    knights.push_back({roster_entry(subject, doc, std::chrono::system_clock::now(), stale_after_), capabilities_of(doc)});
  }
  return knights;
}

Result<std::vector<nats::TaskAnswer>> Fleet::run(const std::vector<nats::TaskOrder>& orders, std::chrono::milliseconds deadline,
                                                 const CallContext& context) {
  if (!bus_.connection->connected()) return make_error(ErrorCode::unavailable, "NATS is not connected (" + bus_.connection->last_error() + ")");
  // One client per call: it keeps every result of the fleet that arrives while it lives, so a
  // long-running server must not keep one for good.
  nats::TaskClient client(*bus_.connection, *bus_.js, fleet_, from_);
  auto ttl = std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(deadline));
  std::vector<std::string> ids;
  for (const auto& order : orders) {
    auto id = client.send(order, std::nullopt, ttl);
    if (!id) return make_error(id.error().code, "cannot publish " + order.task + ": " + explain_stream_error(id.error()));
    ids.push_back(*id);
  }
  const double total = static_cast<double>(ids.size());
  if (context.progress) context.progress(0, total, "sent " + std::to_string(ids.size()) + (ids.size() == 1 ? " task" : " tasks"));
  const auto until = Clock::now() + deadline;
  auto next_check = Clock::now() + kStreamCheck;
  size_t reported = 0;
  for (;;) {
    auto answers = client.wait(ids, std::min(until, Clock::now() + kSlice));
    size_t done = answered_count(answers);
    if (done > reported && done < ids.size() && context.progress) {
      reported = done;
      context.progress(static_cast<double>(done), total, std::to_string(done) + " of " + std::to_string(ids.size()) + " answered");
    }
    if (done == ids.size() || context.is_cancelled()) return answers;
    if (Clock::now() >= until) {
      client.recover_stored(ids);
      return client.wait(ids, Clock::now());
    }
    if (Clock::now() >= next_check) {
      client.recover_stored(ids);
      next_check = Clock::now() + kStreamCheck;
    }
  }
}

Result<nats::TaskAnswer> Fleet::late_answer(nats::TaskAnswer answer) {
  if (answer.answered) return answer;
  auto name = contract::parse_task_name(answer.task);
  if (!name) return answer;
  auto subject = contract::result_subject(fleet_, name->domain, answer.task_id);
  if (!subject) return answer;
  auto stored = bus_.js->last_message(contract::kResultsStream, *subject);
  if (!stored) return make_error(stored.error().code, "cannot read " + *subject + ": " + stored.error().message);
  if (!stored->has_value()) return answer;
  auto doc = parse_json_bounded((*stored)->data());
  if (!doc || !doc->is_object()) return answer;
  answer.answered = true;
  answer.envelope = std::move(*doc);
  const json& envelope = answer.envelope;
  answer.agent = text_of(envelope, "from");
  const json payload = envelope.contains("payload") && envelope["payload"].is_object() ? envelope["payload"] : json::object();
  answer.completed = text_of(envelope, "type") == contract::type::task_result && text_of(payload, "status") == "completed";
  return answer;
}

}  // namespace rt::cli::mcp
