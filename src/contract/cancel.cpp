#include "roundtable/contract/cancel.hpp"

#include <chrono>

#include "roundtable/contract/payloads.hpp"

namespace rt::contract {

using nlohmann::json;

json to_json(const CancelRequest& cancel) { return {{"taskId", cancel.task_id}, {"reason", cancel.reason}, {"by", cancel.by}}; }

Result<CancelRequest> parse_cancel(const Envelope& envelope) {
  auto invalid = [](const std::string& why) { return make_error(ErrorCode::invalid_params, why); };
  if (envelope.type != type::task_cancel) return invalid("message type '" + envelope.type + "' is not task.cancel");
  const json& p = envelope.payload;
  if (!p.is_object() || !p.contains("taskId") || !p["taskId"].is_string() || p["taskId"].get<std::string>().empty())
    return invalid("task.cancel payload needs a string taskId");
  CancelRequest cancel{p["taskId"].get<std::string>(), "", envelope.from};
  if (p.contains("reason") && p["reason"].is_string()) cancel.reason = p["reason"].get<std::string>();
  if (p.contains("by") && p["by"].is_string()) cancel.by = p["by"].get<std::string>();
  return cancel;
}

Envelope make_cancel_envelope(const CancelRequest& cancel, std::string from, std::string fleet) {
  auto env = make_envelope(std::string(type::task_cancel), std::move(from), to_json(cancel), std::chrono::system_clock::now());
  env.fleet = std::move(fleet);
  env.ttl_seconds = 0;
  return env;
}

}  // namespace rt::contract
