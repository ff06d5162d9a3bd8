#pragma once
// Redis claim/done markers (docs/contract.md §8 rt:<fleet>:dedup:<task-id>, 24h). Optional: without
// Redis every check answers `unknown` and the bridge leans on JetStream de-duplication.
#include <memory>
#include <string>

#include "roundtable/redis/client.hpp"

namespace rt::bridge {

class DedupStore {
 public:
  // fresh: claimed now; claimed: someone claimed it before (a crashed holder, or a duplicate
  // of a task still being finished); done: answered; unknown: no Redis.
  enum class State { fresh, claimed, done, unknown };
  DedupStore(redis::Client* client, std::string fleet, std::string agent)
      : client_(client), fleet_(std::move(fleet)), agent_(std::move(agent)) {}

  // Claims the task unless it is already done (an earlier claim is taken over).
  State claim(const std::string& task_id);
  void mark_done(const std::string& task_id);

 private:
  std::string key(const std::string& task_id) const { return "rt:" + fleet_ + ":dedup:" + task_id; }
  redis::Client* client_;
  std::string fleet_;
  std::string agent_;
};

}  // namespace rt::bridge
