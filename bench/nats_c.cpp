#include "nats_c.hpp"

#include <vector>

#include "bench_error.hpp"
#include "roundtable/contract/streams.hpp"

namespace rt::bench {

void check(natsStatus s, const std::string& what) {
  if (s == NATS_OK) return;
  const char* last = nats_GetLastError(nullptr);
  throw BenchError(what + ": " + natsStatus_GetText(s) + (last ? std::string(" (") + last + ")" : ""));
}

NatsClient::NatsClient(const std::string& url, const std::string& name) {
  natsOptions* options = nullptr;
  check(natsOptions_Create(&options), "nats options");
  natsOptions_SetURL(options, url.c_str());
  natsOptions_SetName(options, name.c_str());
  // As the product's client does: without it every publish, pull request and ack waits for
  // nats.c's flusher thread (about +0.5 ms per task one at a time here).
  natsOptions_SetSendAsap(options, true);
  natsStatus s = natsConnection_Connect(&connection_, options);
  natsOptions_Destroy(options);
  check(s, "connect to " + url);
  s = natsConnection_JetStream(&js_, connection_, nullptr);
  if (s != NATS_OK) natsConnection_Destroy(connection_);
  check(s, "jetstream context");
}

NatsClient::~NatsClient() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(connection_);
}

void NatsClient::publish_acked(const std::string& subject, std::string_view data, const std::string& msg_id) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()), &options, &error);
  jsPubAck_Destroy(ack);
  check(s, "publish to " + subject);
}

void NatsClient::create_contract_streams() {
  constexpr int64_t kNanos = 1'000'000'000;
  for (const auto& spec : contract::contract_streams(1)) {
    std::vector<const char*> subjects;
    for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = spec.name.c_str();
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Retention = spec.retention == contract::Retention::work_queue ? js_WorkQueuePolicy : js_LimitsPolicy;
    cfg.Storage = spec.storage == contract::Storage::memory ? js_MemoryStorage : js_FileStorage;
    cfg.MaxAge = spec.max_age.count() * kNanos;
    cfg.MaxMsgSize = spec.max_msg_size;
    cfg.Duplicates = spec.duplicate_window.count() * kNanos;
    cfg.Discard = spec.discard_old ? js_DiscardOld : js_DiscardNew;
    cfg.MaxMsgsPerSubject = spec.max_msgs_per_subject;
    cfg.Replicas = spec.replicas;
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &error);
    jsStreamInfo_Destroy(info);
    check(s, "create stream " + spec.name);
  }
}

PullSubscription::PullSubscription(NatsClient& client, const std::string& subject, const std::string& durable) {
  jsErrCode error = static_cast<jsErrCode>(0);
  check(js_PullSubscribe(&sub_, client.js(), subject.c_str(), durable.c_str(), nullptr, nullptr, &error), "pull subscribe " + durable);
}

PullSubscription::~PullSubscription() { natsSubscription_Destroy(sub_); }

CoreSubscription::CoreSubscription(NatsClient& client, const std::string& subject) {
  check(natsConnection_SubscribeSync(&sub_, client.connection(), subject.c_str()), "subscribe " + subject);
  natsSubscription_SetPendingLimits(sub_, -1, -1);
  check(natsConnection_FlushTimeout(client.connection(), 5000), "flush");
}

CoreSubscription::~CoreSubscription() { natsSubscription_Destroy(sub_); }

bool CoreSubscription::next(std::chrono::milliseconds timeout, std::string_view suffix, std::string* payload) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub_, left) != NATS_OK) return false;
    std::string_view subject = natsMsg_GetSubject(msg);
    bool match = suffix.empty() || (subject.size() >= suffix.size() && subject.substr(subject.size() - suffix.size()) == suffix);
    if (match && payload) payload->assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    if (match) return true;
    ++dropped_;
  }
}

}  // namespace rt::bench
