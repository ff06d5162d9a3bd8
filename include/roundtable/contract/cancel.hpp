#pragma once
// docs/contract.md §1/§4: a `task.cancel` envelope on `<fleet>.cancel.<task-id>`, kept in
// ROUNDTABLE_CANCELS so that a bridge fetching the task later (or another replica) finds it.
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::contract {

struct CancelRequest {
  std::string task_id;
  std::string reason;
  std::string by;  // who asked: "cli", or the lead's agent name
};

nlohmann::json to_json(const CancelRequest& cancel);
// The payload of a `task.cancel` envelope; invalid_params when it is not one.
Result<CancelRequest> parse_cancel(const Envelope& envelope);
// The `task.cancel` envelope, ready to publish on cancel_subject(fleet, cancel.task_id).
Envelope make_cancel_envelope(const CancelRequest& cancel, std::string from, std::string fleet);

}  // namespace rt::contract
