#include <nats/nats.h>

#include "roundtable/nats/jetstream.hpp"
#include "status_error.hpp"

namespace rt::nats {

Result<std::optional<Message>> JetStream::last_message(std::string_view stream, std::string_view subject) {
  std::string s_name(stream), subj(subject);
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&msg, js_, s_name.c_str(), subj.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return std::optional<Message>{};
  if (s != NATS_OK) return nats_error(s, "last message on " + subj, jerr);
  return std::optional<Message>{Message(msg)};
}

namespace {
// Stream info with its per-subject counts for `filter`; the caller destroys it.
Result<jsStreamInfo*> subject_info(jsCtx* js, const std::string& stream, const std::string& filter) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Info.SubjectsFilter = filter.c_str();
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), &options, &jerr);
  if (s != NATS_OK) return nats_error(s, "stream info " + stream, jerr);
  return info;
}
}  // namespace

Result<std::vector<std::string>> JetStream::subjects(std::string_view stream, std::string_view filter) {
  auto info = subject_info(js_, std::string(stream), std::string(filter));
  if (!info) return info.error();
  std::vector<std::string> out;
  if ((*info)->State.Subjects)
    for (int i = 0; i < (*info)->State.Subjects->Count; ++i) out.emplace_back((*info)->State.Subjects->List[i].Subject);
  jsStreamInfo_Destroy(*info);
  return out;
}

Result<uint64_t> JetStream::count_messages(std::string_view stream, std::string_view filter) {
  auto info = subject_info(js_, std::string(stream), std::string(filter));
  if (!info) return info.error();
  uint64_t count = 0;
  if ((*info)->State.Subjects)
    for (int i = 0; i < (*info)->State.Subjects->Count; ++i) count += (*info)->State.Subjects->List[i].Msgs;
  jsStreamInfo_Destroy(*info);
  return count;
}

}  // namespace rt::nats
