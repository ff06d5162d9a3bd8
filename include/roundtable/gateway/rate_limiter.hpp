#pragma once
// Cost control: a fleet-wide requests-per-minute token bucket (atomic Lua in Redis) and a
// per-knight daily token budget (docs/contract.md §8 rt:<fleet>:rate:<bucket>, budget:<agent>:<date>).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "roundtable/common/log.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::gateway {

struct Admission {
  bool allowed = true;
  std::string reason;
  int64_t retry_after_seconds = 0;
};

class RateLimiter {
 public:
  // redis may be null: the bucket and budget then live in this process.
  RateLimiter(redis::Client* redis, std::string fleet, std::string agent, int requests_per_minute, int64_t tokens_per_day,
              Logger logger);
  // Takes one request from the bucket unless the budget is spent.
  Admission admit();
  void record_tokens(int64_t tokens);

 private:
  std::string budget_key() const;
  Admission admit_local();

  redis::Client* redis_;
  std::string fleet_, agent_;
  int rpm_;
  int64_t tokens_per_day_;
  Logger logger_;
  std::mutex mutex_;
  double local_tokens_ = 0;
  std::chrono::steady_clock::time_point local_refill_ = std::chrono::steady_clock::now();
  int64_t local_spent_ = 0;
  std::string local_day_;
};

}  // namespace rt::gateway
