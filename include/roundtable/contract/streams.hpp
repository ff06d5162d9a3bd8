#pragma once
// docs/contract.md §2: the five streams, as data.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rt::contract {

enum class Retention { limits, work_queue };
enum class Storage { file, memory };

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  Retention retention = Retention::limits;
  Storage storage = Storage::file;
  std::chrono::seconds max_age{0};
  int32_t max_msg_size = -1;
  std::chrono::seconds duplicate_window{120};
  bool discard_old = true;
  int64_t max_msgs_per_subject = -1;
  int replicas = 1;
};

inline constexpr const char* kTasksStream = "ROUNDTABLE_TASKS";
inline constexpr const char* kResultsStream = "ROUNDTABLE_RESULTS";
inline constexpr const char* kEventsStream = "ROUNDTABLE_EVENTS";
inline constexpr const char* kHeartbeatStream = "ROUNDTABLE_HEARTBEAT";
inline constexpr const char* kCancelsStream = "ROUNDTABLE_CANCELS";

std::vector<StreamSpec> contract_streams(int replicas = 1);

}  // namespace rt::contract
