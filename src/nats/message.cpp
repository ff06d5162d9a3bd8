#include "roundtable/nats/message.hpp"

#include <nats/nats.h>

#include "status_error.hpp"

namespace rt::nats {

Message::~Message() {
  if (msg_) natsMsg_Destroy(msg_);
}

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    if (msg_) natsMsg_Destroy(msg_);
    msg_ = other.msg_;
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

Status Message::ack() { return to_status(natsMsg_Ack(msg_, nullptr), "ack"); }

Status Message::nak_with_delay(std::chrono::milliseconds delay) {
  return to_status(natsMsg_NakWithDelay(msg_, delay.count(), nullptr), "nak");
}

Status Message::in_progress() { return to_status(natsMsg_InProgress(msg_, nullptr), "in-progress ack"); }

Status Message::term() { return to_status(natsMsg_Term(msg_, nullptr), "term"); }

}  // namespace rt::nats
