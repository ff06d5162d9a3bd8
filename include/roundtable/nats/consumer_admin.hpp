#pragma once
// Listing the consumers of a stream through the JetStream API, with what nats.c's
// consumer info leaves out of ConsumerState: when each consumer was created and last delivered.
// Used by `roundtable consumers` (docs/contract.md §3); removal is JetStream::delete_consumer.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/nats/connection.hpp"

namespace rt::nats {

struct ConsumerActivity {
  std::string name;
  std::string filter_subject;
  uint64_t pending = 0;      // stream messages matching the filter not yet delivered
  uint64_t ack_pending = 0;  // delivered, not yet acknowledged
  uint64_t redelivered = 0;
  uint64_t waiting = 0;      // pull requests waiting: a bridge is fetching right now
  std::optional<SystemTime> created;
  std::optional<SystemTime> last_delivered;  // delivered.last_active; empty when never delivered
};

// One entry of a $JS.API.CONSUMER.LIST answer (a consumer info object).
ConsumerActivity consumer_activity_from(const nlohmann::json& info);

// Every consumer of `stream`, page by page. not_found when the stream does not exist.
Result<std::vector<ConsumerActivity>> list_consumer_activity(Connection& connection, std::string_view stream,
                                                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace rt::nats
