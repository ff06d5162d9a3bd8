#include "roundtable/nats/jetstream.hpp"

#include <nats/nats.h>

#include "message_build.hpp"
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

namespace {

// One pull request. NoWait answers at once with what is there; a waiting request for a
// batch of N would hold until N arrive or it expires, so waiting requests ask for one.
natsStatus pull(natsSubscription* sub, int batch, bool no_wait, std::chrono::milliseconds wait,
                std::vector<Message>& out, jsErrCode& jerr) {
  jsFetchRequest request;
  jsFetchRequest_Init(&request);
  request.Batch = batch;
  request.NoWait = no_wait;
  request.Expires = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
  natsMsgList list{};
  natsStatus s = natsSubscription_FetchRequest(&list, sub, &request);
  (void)jerr;
  if (s != NATS_OK) return s;
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // ownership moved
  }
  natsMsgList_Destroy(&list);
  return NATS_OK;
}

bool is_empty_answer(natsStatus s) { return s == NATS_TIMEOUT || s == NATS_NOT_FOUND; }

}  // namespace

Result<std::vector<Message>> PullSubscription::fetch(int batch, std::chrono::milliseconds wait) {
  std::vector<Message> out;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = pull(sub_, batch, true, wait, out, jerr);
  if (s != NATS_OK && !is_empty_answer(s)) return nats_error(s, "fetch", jerr);
  if (!out.empty()) return out;
  // Nothing waiting: wait for the first one and hand it over at once (the caller's next
  // fetch picks up whatever queued behind it without waiting).
  s = pull(sub_, 1, false, wait, out, jerr);
  if (s != NATS_OK && !is_empty_answer(s)) return nats_error(s, "fetch", jerr);
  return out;
}

Result<std::unique_ptr<JetStream>> JetStream::create(Connection& connection, std::chrono::milliseconds api_timeout) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = api_timeout.count();
  options.PublishAsync.MaxPending = 4096;
  options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr* pae, void* closure) {
    auto* conn = static_cast<Connection*>(closure);
    const char* subject = pae->Msg ? natsMsg_GetSubject(pae->Msg) : "";
    conn->logger().warn("nats.async_publish_failed", {{"subject", subject ? subject : ""},
                                                       {"error", pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err)}});
  };
  options.PublishAsync.ErrHandlerClosure = &connection;
  jsCtx* js = nullptr;
  if (auto s = natsConnection_JetStream(&js, connection.get(), &options); s != NATS_OK) return nats_error(s, "JetStream context");
  return std::unique_ptr<JetStream>(new JetStream(connection, js, api_timeout));
}

JetStream::~JetStream() {
  if (js_) jsCtx_Destroy(js_);
}

Result<PublishAck> JetStream::publish(std::string_view subject, std::string_view data, std::string_view msg_id) {
  return publish(subject, data, msg_id, Headers{});
}

Status JetStream::publish_async(std::string_view subject, std::string_view data, std::string_view msg_id) {
  std::string subj(subject), id(msg_id);
  jsPubOptions options;
  jsPubOptions_Init(&options);
  if (!id.empty()) options.MsgId = id.c_str();
  return to_status(js_PublishAsync(js_, subj.c_str(), data.data(), static_cast<int>(data.size()), &options), "publish to " + subj);
}

Result<PublishAck> JetStream::publish(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  return acks_.publish(std::string(subject), data, msg_id, headers);
}

Result<AckInboxes::Pending> JetStream::send_acked(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  return acks_.send(std::string(subject), data, msg_id, headers);
}

Status JetStream::publish_async(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  if (headers.empty()) return publish_async(subject, data, msg_id);
  std::string subj(subject), id(msg_id);
  auto msg = message_with_headers(subj, nullptr, data, headers, {});
  if (!msg) return msg.error();
  jsPubOptions options;
  jsPubOptions_Init(&options);
  if (!id.empty()) options.MsgId = id.c_str();
  natsMsg* raw = msg->release();
  natsStatus s = js_PublishMsgAsync(js_, &raw, &options);
  Message left_over(raw);  // null when the library took the message, else ours to destroy
  return to_status(s, "publish to " + subj);
}

Status JetStream::publish_unacked(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  std::string subj(subject);
  auto msg = message_with_headers(subj, nullptr, data, headers, msg_id);
  if (!msg) return msg.error();
  return to_status(natsConnection_PublishMsg(connection_.get(), msg->get()), "publish to " + subj);
}

Status JetStream::complete_async(std::chrono::milliseconds timeout) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = timeout.count();
  return to_status(js_PublishAsyncComplete(js_, &options), "waiting for publish acks");
}

Status JetStream::delete_consumer(std::string_view stream, std::string_view name) {
  std::string s_name(stream), c_name(name);
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteConsumer(js_, s_name.c_str(), c_name.c_str(), nullptr, &jerr);
  if (s != NATS_OK) return nats_error(s, "delete consumer " + c_name, jerr);
  return {};
}

}  // namespace rt::nats
