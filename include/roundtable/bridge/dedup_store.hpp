#pragma once
// Redis claim/done markers (docs/contract.md §8 rt:<fleet>:dedup:<task-id>, 24h). Optional: without
// Redis every check answers `unknown` and the bridge leans on JetStream de-duplication.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "roundtable/common/log.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::bridge {

class DedupStore {
 public:
  // fresh: claimed now; claimed: someone claimed it before (a crashed holder, or a duplicate
  // of a task still being finished); done: answered; unknown: no Redis.
  enum class State { fresh, claimed, done, unknown };
  DedupStore(redis::Client* client, std::string fleet, std::string agent, Logger logger)
      : client_(client), fleet_(std::move(fleet)), agent_(std::move(agent)), logger_(std::move(logger)) {}

  // Claims the task unless it is already done (an earlier claim is taken over).
  State claim(const std::string& task_id);
  void mark_done(const std::string& task_id);

 private:
  std::string key(const std::string& task_id) const { return "rt:" + fleet_ + ":dedup:" + task_id; }
  // A write Redis answered with an error (full under maxmemory with noeviction, read-only
  // replica): the markers are lost without Redis being down, so it is logged, once a minute.
  void note_refusal(const Error& error);
  redis::Client* client_;
  std::string fleet_;
  std::string agent_;
  Logger logger_;
  std::atomic<int64_t> next_warning_ns_{0};
};

}  // namespace rt::bridge
