// The lead role: delegate over NATS, and answer other fleets' leads (CONTRACT §1 peer subjects).
#include "roundtable/contract/subjects.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/gateway/gateway.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

// A peer request or message: an envelope with payload {text} or {question}, or plain text.
std::pair<std::string, std::string> peer_text(std::string_view data) {
  json doc = json::parse(data, nullptr, false);
  if (doc.is_object() && doc.contains("payload") && doc["payload"].is_object()) {
    const json& p = doc["payload"];
    std::string text = p.value("question", p.value("text", p.value("fact", "")));
    return {doc.value("fleet", doc.value("from", "peer")), text};
  }
  return {"peer", std::string(data)};
}

}  // namespace

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

  auto request_subject = contract::peer_request_subject(config_.fleet);
  auto message_subject = contract::peer_message_subject(config_.fleet);
  auto on_request = nats_->subscribe(*request_subject, [this](nats::Message msg) {
    auto [peer, text] = peer_text(msg.data());
    Conversation conversation;
    conversation.task_id = "peer-" + make_uuid_v4();
    conversation.messages = {{"user", {llm::Block::make_text("A lead of fleet '" + peer + "' asks: " + text)}}};
    auto answer = agent_->run(std::move(conversation));
    json reply = {{"type", "peer.answer"}, {"from", config_.agent}, {"fleet", config_.fleet},
                  {"status", answer.completed ? "completed" : "failed"},
                  {"content", answer.completed ? answer.result.content : answer.failure.message}};
    if (!msg.reply().empty()) nats_->publish(msg.reply(), reply.dump());
  });
  auto on_message = nats_->subscribe(*message_subject, [this](nats::Message msg) {
    auto [peer, text] = peer_text(msg.data());
    std::string key = "rt:" + config_.fleet + ":shared:peer:" + peer + ":" + make_uuid_v4().substr(0, 8);
    if (redis_) {
      redis_->set(key, text);
      redis_->command({"LPUSH", "rt:" + config_.fleet + ":queue:peer-messages", json{{"from", peer}, {"text", text}}.dump()});
    }
    logger_.info("peer.message_stored", {{"peer", peer}, {"key", key}, {"stored", redis_ != nullptr}});
  });
  if (on_request) peer_subscriptions_.push_back(std::move(*on_request));
  if (on_message) peer_subscriptions_.push_back(std::move(*on_message));
  logger_.info("lead.ready", {{"delegates", workspace_.knight.delegates.size()}, {"peer_subject", *request_subject}});
  return true;
}

}  // namespace rt::gateway
