#include "roundtable/contract/streams.hpp"

namespace rt::contract {

using namespace std::chrono_literals;

std::vector<StreamSpec> contract_streams(int replicas) {
  constexpr int32_t MiB = 1 << 20;
  std::vector<StreamSpec> specs{
      {kTasksStream, {"*.tasks.>"}, Retention::work_queue, Storage::file, 24h, 1 * MiB, 2min, true, -1, replicas},
      {kResultsStream, {"*.results.>"}, Retention::limits, Storage::file, 7 * 24h, 4 * MiB, 2min, true, -1, replicas},
      {kEventsStream, {"roundtable.events.>"}, Retention::limits, Storage::file, 30 * 24h, 1 * MiB, 2min, true, -1, replicas},
      {kHeartbeatStream, {"*.heartbeat.>"}, Retention::limits, Storage::memory, 1h, -1, 2min, true, 5, replicas},
      // One cancel per task, kept a day: a bridge fetching the task later still finds it.
      {kCancelsStream, {"*.cancel.>"}, Retention::limits, Storage::file, 24h, 64 * 1024, 2min, true, 1, replicas},
  };
  return specs;
}

}  // namespace rt::contract
