// The lead role: delegate over NATS, and answer other fleets' leads (docs/contract.md §1 peer subjects).
#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/identifiers.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/gateway/gateway.hpp"
#include "roundtable/gateway/peer_requests.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

constexpr size_t kMaxPeerBytes = 1 << 20;

struct PeerText {
  std::string peer;
  std::string text;
};

std::optional<std::string> string_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A peer request or message: an envelope with payload {question|text|fact: string}, or plain
// text. Anything else is refused with the reason; nothing here can throw.
Result<PeerText> read_peer_text(std::string_view data) {
  if (data.size() > kMaxPeerBytes) return make_error(ErrorCode::invalid_params, "peer message larger than 1 MiB");
  auto first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (data[first] != '{' && data[first] != '['))
    return PeerText{"peer", std::string(data)};
  auto doc = parse_json_bounded(data, JsonLimits{kJsonMaxDepth, kMaxPeerBytes});
  if (!doc) return doc.error();
  if (!doc->is_object()) return make_error(ErrorCode::invalid_params, "a peer message must be a JSON object");
  auto payload = doc->find("payload");
  if (payload == doc->end() || !payload->is_object()) return make_error(ErrorCode::invalid_params, "'payload' must be an object");
  std::optional<std::string> text;
  for (const char* key : {"question", "text", "fact"}) {
    if (payload->contains(key) && !(*payload)[key].is_string())
      return make_error(ErrorCode::invalid_params, std::string("payload '") + key + "' must be a string");
    if (!text) text = string_field(*payload, key);
  }
  if (!text) return make_error(ErrorCode::invalid_params, "payload needs 'question', 'text' or 'fact' as a string");
  std::string peer = string_field(*doc, "fleet").value_or(string_field(*doc, "from").value_or("peer"));
  if (!contract::is_identifier(peer)) peer = "peer";
  return PeerText{peer, *text};
}

}  // namespace

json Gateway::peer_reply(const std::string& status, const std::string& content) const {
  return {{"type", "peer.answer"}, {"from", config_.agent}, {"fleet", config_.fleet}, {"status", status}, {"content", content}};
}

void Gateway::answer_peer(const nats::Message& msg) {
  auto request = read_peer_text(msg.data());
  json reply;
  if (!request) {
    logger_.warn("peer.request_refused", {{"reason", request.error().message}});
    reply = peer_reply("failed", request.error().message);
    reply["error"] = "invalid_params";
  } else {
    Conversation conversation;
    conversation.task_id = "peer-" + make_uuid_v4();
    conversation.messages = {{"user", {llm::Block::make_text("A lead of fleet '" + request->peer + "' asks: " + request->text)}}};
    auto answer = agent_->run(std::move(conversation));
    reply = peer_reply(answer.completed ? "completed" : "failed", answer.completed ? answer.result.content : answer.failure.message);
  }
  if (!msg.reply().empty()) nats_->publish(msg.reply(), reply.dump());
}

void Gateway::store_peer_message(const nats::Message& msg) {
  auto message = read_peer_text(msg.data());
  if (!message) {
    logger_.warn("peer.message_refused", {{"reason", message.error().message}});
    return;
  }
  std::string key = "rt:" + config_.fleet + ":shared:peer:" + message->peer + ":" + make_uuid_v4().substr(0, 8);
  if (redis_) {
    redis_->set(key, message->text);
    redis_->command({"LPUSH", "rt:" + config_.fleet + ":queue:peer-messages", json{{"from", message->peer}, {"text", message->text}}.dump()});
  }
  logger_.info("peer.message_stored", {{"peer", message->peer}, {"key", key}, {"stored", redis_ != nullptr}});
}

bool Gateway::start_lead() {
  if (workspace_.knight.role != "lead") return true;
  if (!config_.nats) {
    logger_.warn("lead.without_nats", {{"reason", "NATS_URL is not set: the delegate tool is off"}});
    return true;
  }
  auto connection = nats::Connection::connect(*config_.nats, logger_.with({{"component", "nats"}}));
  if (!connection) {
    logger_.error("lead.nats_refused", {{"error", connection.error().message}});
    return false;
  }
  nats_ = std::move(*connection);
  auto js = nats::JetStream::create(*nats_);
  if (!js) return false;
  js_ = std::move(*js);
  task_client_ = std::make_unique<nats::TaskClient>(*nats_, *js_, config_.fleet, config_.agent);
  tools_.add(make_delegate_tool(*task_client_, workspace_.knight.delegates, workspace_.knight.delegate_deadline, logger_));

  peer_requests_ = std::make_shared<PeerRequests>(
      *slots_, static_cast<size_t>(2 * config_.max_concurrency), [this](const nats::Message& msg) { answer_peer(msg); },
      [this](const nats::Message& msg, const std::string& reason) {
        json reply = peer_reply("failed", reason);
        reply["error"] = "gateway_unavailable";
        if (!msg.reply().empty()) nats_->publish(msg.reply(), reply.dump());
      });
  auto request_subject = contract::peer_request_subject(config_.fleet);
  auto message_subject = contract::peer_message_subject(config_.fleet);
  // The callbacks hold the runner, not the gateway: a late delivery after shutdown finds it closed.
  auto on_request = nats_->subscribe(*request_subject, [runner = peer_requests_](nats::Message msg) { runner->submit(std::move(msg)); });
  auto on_message = nats_->subscribe(*message_subject, [this](nats::Message msg) { store_peer_message(msg); });
  if (on_request) peer_subscriptions_.push_back(std::move(*on_request));
  if (on_message) peer_subscriptions_.push_back(std::move(*on_message));
  logger_.info("lead.ready", {{"delegates", workspace_.knight.delegates.size()}, {"peer_subject", *request_subject}});
  return true;
}

// Before anything a peer request uses is destroyed: no new deliveries, then the running ones end.
void Gateway::stop_lead() {
  peer_subscriptions_.clear();
  if (peer_requests_) peer_requests_->shut_down();
  if (nats_) nats_->drain(std::chrono::milliseconds(2000));
}

}  // namespace rt::gateway
