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

}  // namespace rt::nats
