#pragma once
// Cost control: a fleet-wide requests-per-minute token bucket (atomic Lua in Redis) and
// per-knight daily budgets in tokens and in money (docs/contract.md §8 rt:<fleet>:rate:<bucket>,
// budget:<agent>:<date>, spend:<agent>:<date> and its :models hash).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "roundtable/common/log.hpp"
#include "roundtable/llm/types.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::gateway {

struct Admission {
  bool allowed = true;
  std::string reason;
  int64_t retry_after_seconds = 0;
};

// How much of a daily budget is used: kind "tokens" or "usd".
struct BudgetUse {
  std::string kind;
  double ratio = 0;
};

class RateLimiter {
 public:
  // redis may be null: the bucket and budget then live in this process.
  // micro_usd_per_day: the money budget in micro-dollars (limits.usd_per_day × 10^6), 0 = none.
  RateLimiter(redis::Client* redis, std::string fleet, std::string agent, int requests_per_minute, int64_t tokens_per_day,
              Logger logger, int64_t micro_usd_per_day = 0);
  // Takes one request from the bucket unless a budget is spent.
  Admission admit();
  void record_tokens(int64_t tokens);
  // One LLM call's tokens and cost (usage.cost_micro_usd), the cost also under its model.
  void record(const std::string& model, const llm::Usage& usage);
  // Today's use of each configured budget, for the roundtable_gateway_budget_used_ratio gauge.
  std::vector<BudgetUse> budget_use();

 private:
  std::string budget_key() const;
  std::string spend_key() const;
  Admission admit_local();
  std::optional<Admission> over_budget(int64_t tokens, int64_t micro_usd) const;
  void record_local(int64_t tokens, int64_t micro_usd);
  int64_t counter(const std::string& key);

  redis::Client* redis_;
  std::string fleet_, agent_;
  int rpm_;
  int64_t tokens_per_day_;
  int64_t micro_usd_per_day_;
  Logger logger_;
  std::mutex mutex_;
  double local_tokens_ = 0;
  std::chrono::steady_clock::time_point local_refill_ = std::chrono::steady_clock::now();
  int64_t local_spent_ = 0;
  int64_t local_micro_usd_ = 0;
  std::string local_day_;
};

}  // namespace rt::gateway
