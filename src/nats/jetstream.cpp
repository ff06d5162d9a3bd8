#include "roundtable/nats/jetstream.hpp"

#include <nats/nats.h>

#include "status_error.hpp"

namespace rt::nats {

PullSubscription::~PullSubscription() {
  // Unsubscribe would delete nothing for a bound durable, but keep it local: just destroy.
  if (sub_) natsSubscription_Destroy(sub_);
}

PullSubscription::PullSubscription(PullSubscription&& other) noexcept : sub_(other.sub_) { other.sub_ = nullptr; }

PullSubscription& PullSubscription::operator=(PullSubscription&& other) noexcept {
  if (this != &other) {
    if (sub_) natsSubscription_Destroy(sub_);
    sub_ = other.sub_;
    other.sub_ = nullptr;
  }
  return *this;
}

Result<std::vector<Message>> PullSubscription::fetch(int batch, std::chrono::milliseconds wait) {
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_, batch, wait.count(), &jerr);
  std::vector<Message> out;
  if (s == NATS_TIMEOUT) return out;
  if (s != NATS_OK) return nats_error(s, "fetch", jerr);
  out.reserve(static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // ownership moved
  }
  natsMsgList_Destroy(&list);
  return out;
}

Result<std::unique_ptr<JetStream>> JetStream::create(Connection& connection, std::chrono::milliseconds api_timeout) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = api_timeout.count();
  jsCtx* js = nullptr;
  if (auto s = natsConnection_JetStream(&js, connection.get(), &options); s != NATS_OK) return nats_error(s, "JetStream context");
  return std::unique_ptr<JetStream>(new JetStream(connection, js));
}

JetStream::~JetStream() {
  if (js_) jsCtx_Destroy(js_);
}

Result<PublishAck> JetStream::publish(std::string_view subject, std::string_view data, std::string_view msg_id) {
  std::string subj(subject), id(msg_id);
  jsPubOptions options;
  jsPubOptions_Init(&options);
  if (!id.empty()) options.MsgId = id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, js_, subj.c_str(), data.data(), static_cast<int>(data.size()), &options, &jerr);
  if (s != NATS_OK) return nats_error(s, "publish to " + subj, jerr);
  PublishAck out{ack->Stream ? ack->Stream : "", ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return out;
}

Status JetStream::delete_consumer(std::string_view stream, std::string_view name) {
  std::string s_name(stream), c_name(name);
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteConsumer(js_, s_name.c_str(), c_name.c_str(), nullptr, &jerr);
  if (s != NATS_OK) return nats_error(s, "delete consumer " + c_name, jerr);
  return {};
}

}  // namespace rt::nats
