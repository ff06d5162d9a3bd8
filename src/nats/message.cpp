#include "roundtable/nats/message.hpp"
#include "roundtable/nats/message_free.hpp"

#include <nats/nats.h>

#include "status_error.hpp"

namespace rt::nats {

Message::~Message() {
  destroy_message(msg_);
}

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    destroy_message(msg_);
    msg_ = other.msg_;
    acks_via_ = other.acks_via_;
    other.msg_ = nullptr;
  }
  return *this;
}

std::string_view Message::subject() const {
  const char* s = msg_ ? natsMsg_GetSubject(msg_) : nullptr;
  return s ? s : "";
}

std::string_view Message::data() const {
  if (!msg_) return {};
  const char* d = natsMsg_GetData(msg_);
  return d ? std::string_view(d, static_cast<size_t>(natsMsg_GetDataLength(msg_))) : std::string_view{};
}

std::string_view Message::reply() const {
  const char* r = msg_ ? natsMsg_GetReply(msg_) : nullptr;
  return r ? r : "";
}

std::optional<std::string> Message::header(const char* key) const {
  const char* value = nullptr;
  if (!msg_ || natsMsgHeader_Get(msg_, key, &value) != NATS_OK || !value) return std::nullopt;
  return std::string(value);
}

std::optional<Message::Delivery> Message::delivery() const {
  jsMsgMetaData* meta = nullptr;
  if (!msg_ || natsMsg_GetMetaData(&meta, msg_) != NATS_OK || !meta) return std::nullopt;
  Delivery delivery{meta->NumDelivered, meta->Sequence.Stream, meta->NumPending};
  jsMsgMetaData_Destroy(meta);
  return delivery;
}

// The acknowledgement protocol of JetStream: a message to the delivery's reply subject.
Status Message::reply_with(const char* ack, const char* what) {
  const char* reply = msg_ ? natsMsg_GetReply(msg_) : nullptr;
  if (!reply || !*reply) return make_error(ErrorCode::invalid_params, std::string(what) + ": not a JetStream message");
  return to_status(natsConnection_PublishString(acks_via_, reply, ack), what);
}

Status Message::ack() {
  if (acks_via_) return reply_with("+ACK", "ack");
  return to_status(natsMsg_Ack(msg_, nullptr), "ack");
}

Status Message::nak_with_delay(std::chrono::milliseconds delay) {
  if (acks_via_) {
    std::string nak = "-NAK {\"delay\":" + std::to_string(std::chrono::nanoseconds(delay).count()) + "}";
    return reply_with(nak.c_str(), "nak");
  }
  return to_status(natsMsg_NakWithDelay(msg_, delay.count(), nullptr), "nak");
}

Status Message::in_progress() {
  if (acks_via_) return reply_with("+WPI", "in-progress ack");
  return to_status(natsMsg_InProgress(msg_, nullptr), "in-progress ack");
}

Status Message::term() {
  if (acks_via_) return reply_with("+TERM", "term");
  return to_status(natsMsg_Term(msg_, nullptr), "term");
}

}  // namespace rt::nats
