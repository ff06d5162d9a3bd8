// Durable pull consumers (docs/contract.md §3).
#include <nats/nats.h>

#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "status_error.hpp"

namespace rt::nats {
namespace {

constexpr int64_t kNanosPerMilli = 1'000'000;

ConsumerState state_from(const jsConsumerInfo* info) {
  ConsumerState st;
  st.name = info->Name ? info->Name : "";
  if (info->Config) {
    st.filter_subject = info->Config->FilterSubject ? info->Config->FilterSubject : "";
    st.ack_wait = std::chrono::milliseconds(info->Config->AckWait / kNanosPerMilli);
    st.max_deliver = info->Config->MaxDeliver;
  }
  st.pending = info->NumPending;
  st.ack_pending = static_cast<uint64_t>(info->NumAckPending);
  st.redelivered = static_cast<uint64_t>(info->NumRedelivered);
  st.waiting = static_cast<uint64_t>(info->NumWaiting);
  return st;
}

void fill_config(jsConsumerConfig& cfg, const ConsumerSpec& spec) {
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = spec.durable.c_str();
  cfg.FilterSubject = spec.filter_subject.c_str();
  cfg.AckPolicy = js_AckExplicit;
  cfg.DeliverPolicy = js_DeliverAll;
  cfg.AckWait = spec.ack_wait.count() * kNanosPerMilli;
  cfg.MaxDeliver = spec.max_deliver;
  cfg.MaxAckPending = spec.max_ack_pending;
}

}  // namespace

Result<ConsumerState> JetStream::consumer_state(std::string_view stream, std::string_view name) {
  std::string s_name(stream), c_name(name);
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&info, js_, s_name.c_str(), c_name.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) return make_error(ErrorCode::not_found, "consumer " + c_name + " not found");
  if (s != NATS_OK) return nats_error(s, "consumer info " + c_name, jerr);
  ConsumerState state = state_from(info);
  jsConsumerInfo_Destroy(info);
  return state;
}

Result<std::vector<ConsumerState>> JetStream::consumers(std::string_view stream) {
  std::string s_name(stream);
  jsConsumerInfoList* list = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_Consumers(&list, js_, s_name.c_str(), nullptr, &jerr);
  std::vector<ConsumerState> out;
  if (s == NATS_NOT_FOUND) return out;
  if (s != NATS_OK) return nats_error(s, "list consumers of " + s_name, jerr);
  for (int i = 0; i < list->Count; ++i) out.push_back(state_from(list->List[i]));
  jsConsumerInfoList_Destroy(list);
  return out;
}

Status JetStream::ensure_consumer(const ConsumerSpec& spec) {
  auto existing = consumer_state(spec.stream, spec.durable);
  if (!existing && existing.error().code != ErrorCode::not_found) return existing.error();
  if (existing && existing->filter_subject != spec.filter_subject)
    return make_error(ErrorCode::config_error, "consumer " + spec.durable + " exists with filter " + existing->filter_subject +
                                                   ", not " + spec.filter_subject + " (delete it to change its filter)");
  if (!existing) {
    auto others = consumers(spec.stream);
    if (!others) return others.error();
    for (const auto& other : *others)
      if (other.name != spec.durable && contract::subjects_overlap(other.filter_subject, spec.filter_subject))
        return make_error(ErrorCode::config_error, "filter " + spec.filter_subject + " overlaps consumer " + other.name +
                                                       " (filter " + other.filter_subject + ") on work-queue stream " + spec.stream);
  }
  bool same = existing && existing->ack_wait == spec.ack_wait && existing->max_deliver == spec.max_deliver;
  if (same) return {};
  jsConsumerConfig cfg;
  fill_config(cfg, spec);
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = existing ? js_UpdateConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &jerr)
                          : js_AddConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &jerr);
  if (info) jsConsumerInfo_Destroy(info);
  if (s != NATS_OK) return nats_error(s, (existing ? "update consumer " : "create consumer ") + spec.durable, jerr);
  return {};
}

Result<PullSubscription> JetStream::bind_pull(const ConsumerSpec& spec) {
  if (auto status = ensure_consumer(spec); !status) return status.error();
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = spec.stream.c_str();
  options.Consumer = spec.durable.c_str();
  PullSubscription sub;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub.sub_, js_, spec.filter_subject.c_str(), spec.durable.c_str(), nullptr, &options, &jerr);
  if (s != NATS_OK) return nats_error(s, "bind pull consumer " + spec.durable, jerr);
  return sub;
}

}  // namespace rt::nats
