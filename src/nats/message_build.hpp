#pragma once
// A natsMsg with headers (and Nats-Msg-Id when given): js_Publish takes no headers.
#include <string>
#include <string_view>

#include <nats/nats.h>

#include "roundtable/nats/message.hpp"
#include "status_error.hpp"

namespace rt::nats {

inline Result<Message> message_with_headers(const std::string& subject, const char* reply, std::string_view data,
                                            const std::vector<std::pair<std::string, std::string>>& headers, std::string_view msg_id) {
  natsMsg* msg = nullptr;
  if (auto s = natsMsg_Create(&msg, subject.c_str(), reply, data.data(), static_cast<int>(data.size())); s != NATS_OK)
    return nats_error(s, "message for " + subject);
  Message owned(msg);
  for (const auto& [name, value] : headers)
    if (auto s = natsMsgHeader_Set(msg, name.c_str(), value.c_str()); s != NATS_OK) return nats_error(s, "header " + name);
  if (!msg_id.empty())
    if (auto s = natsMsgHeader_Set(msg, "Nats-Msg-Id", std::string(msg_id).c_str()); s != NATS_OK) return nats_error(s, "header Nats-Msg-Id");
  return owned;
}

}  // namespace rt::nats
