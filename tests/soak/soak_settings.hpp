#pragma once
// What a soak or cluster-chaos run does, read once from the environment (docs/reliability.md).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace rt::soak {

struct SoakSettings {
  int tasks = 500;                                // SOAK_TASKS
  double rate = 25;                               // SOAK_RATE: tasks published per second
  uint32_t seed = 1;                              // SOAK_SEED: the chaos schedule
  int chaos_actions = 6;                          // SOAK_CHAOS_ACTIONS: at most this many faults
  std::chrono::milliseconds chaos_gap{1500};      // SOAK_CHAOS_GAP: pause between faults (jittered)
  std::chrono::seconds timeout{85};               // SOAK_TIMEOUT: the whole run, chaos included
  std::string backoff = "200ms,500ms,1s";         // SOAK_BACKOFF: the bridges' BACKOFF
  int max_deliver = 5;                            // SOAK_MAX_DELIVER: the bridges' MAX_DELIVER
  std::string ack_wait = "2s";                    // SOAK_ACK_WAIT: the bridges' ACK_WAIT
  std::chrono::milliseconds llm_min{20}, llm_max{150};  // SOAK_LLM_DELAY=20ms,150ms: the stand-in's thinking time
  std::filesystem::path report;                   // SOAK_REPORT: JSON report path (none when empty)
  std::filesystem::path binaries;                 // RT_BIN_DIR: nats-bridge, knight-gateway
  bool keep_logs = false;                         // SOAK_KEEP_LOGS=1: keep the run directory on success

  // The back-off a task can spend in total before it is dead-lettered: the delays after
  // attempts 1 .. MAX_DELIVER-1, the last BACKOFF entry repeating.
  std::chrono::milliseconds backoff_budget() const;
};

// Reads SOAK_* (and RT_BIN_DIR); throws std::runtime_error naming a bad setting.
SoakSettings soak_settings_from_env(const SoakSettings& defaults);

}  // namespace rt::soak
