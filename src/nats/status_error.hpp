#pragma once
// nats.c status -> our Error, with the library's own text.
#include <string>

#include <nats/nats.h>

#include "roundtable/common/result.hpp"

namespace rt::nats {

inline Error nats_error(natsStatus status, const std::string& what, jsErrCode js_code = static_cast<jsErrCode>(0)) {
  std::string message = what + ": " + natsStatus_GetText(status);
  const char* last = nats_GetLastError(nullptr);
  if (last && *last && std::string(last) != natsStatus_GetText(status)) message += " (" + std::string(last) + ")";
  if (js_code) message += " [jetstream error " + std::to_string(static_cast<int>(js_code)) + "]";
  ErrorCode code = status == NATS_TIMEOUT ? ErrorCode::timeout
                   : (status == NATS_CONNECTION_CLOSED || status == NATS_NO_SERVER || status == NATS_NOT_YET_CONNECTED ||
                      status == NATS_CONNECTION_DISCONNECTED || status == NATS_NO_RESPONDERS)
                       ? ErrorCode::unavailable
                       : ErrorCode::internal_error;
  return make_error(code, message);
}

inline Status to_status(natsStatus status, const std::string& what) {
  if (status == NATS_OK) return {};
  return nats_error(status, what);
}

}  // namespace rt::nats
