// Reading a stretch of a stream: an ordered (ephemeral, flow-controlled) consumer from a start
// time, read until it has caught up with the stream (no message pending) or `max_messages`.
#include <nats/nats.h>

#include "roundtable/nats/jetstream.hpp"
#include "status_error.hpp"

namespace rt::nats {

Result<std::vector<StoredMessage>> JetStream::read_since(std::string_view stream, std::string_view filter, int64_t start_unix_nanos,
                                                          size_t max_messages, std::chrono::milliseconds idle_timeout) {
  std::string s_name(stream), subj(filter);
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = s_name.c_str();
  options.Ordered = true;
  options.Config.DeliverPolicy = start_unix_nanos > 0 ? js_DeliverByStartTime : js_DeliverAll;
  if (start_unix_nanos > 0) options.Config.OptStartTime = start_unix_nanos;
  natsSubscription* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_SubscribeSync(&raw, js_, subj.c_str(), nullptr, &options, &jerr);
  if (s != NATS_OK) return nats_error(s, "read " + s_name + " " + subj, jerr);
  Subscription sub;  // unsubscribing removes the ephemeral consumer
  sub.sub_ = raw;
  std::vector<StoredMessage> out;
  while (out.size() < max_messages) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, raw, static_cast<int64_t>(idle_timeout.count()));
    if (s == NATS_TIMEOUT) break;  // nothing (more) to read
    if (s != NATS_OK) return nats_error(s, "read " + s_name + " " + subj);
    Message message(msg);
    jsMsgMetaData* meta = nullptr;
    uint64_t pending = 0;
    int64_t stored = 0;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta) {
      pending = meta->NumPending;
      stored = meta->Timestamp;
      jsMsgMetaData_Destroy(meta);
    }
    out.push_back({std::string(message.subject()), std::string(message.data()), stored});
    if (pending == 0) break;  // caught up with the stream
  }
  return out;
}

}  // namespace rt::nats
