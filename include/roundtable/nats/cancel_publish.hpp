#pragma once
// Publishes a task's cancel into ROUNDTABLE_CANCELS (docs/contract.md §1, §2, §4).
#include <string>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/cancel.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::nats {

// Waits for the stream's ack: once this returns, every bridge that fetches the task finds it.
Result<PublishAck> publish_cancel(JetStream& js, const std::string& fleet, const std::string& from, const contract::CancelRequest& cancel);

}  // namespace rt::nats
