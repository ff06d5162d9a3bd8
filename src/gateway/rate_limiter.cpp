#include "roundtable/gateway/rate_limiter.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "roundtable/common/time.hpp"

namespace rt::gateway {
namespace {

// KEYS[1] bucket; ARGV[1] capacity (= per minute). Refills continuously from Redis TIME so
// every gateway shares one clock. Returns {allowed, milliseconds until a token is there}.
constexpr const char* kTokenBucket = R"lua(
local capacity = tonumber(ARGV[1])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = capacity; at = now_ms end
local rate = capacity / 60000
tokens = math.min(capacity, tokens + (now_ms - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now_ms))
redis.call('PEXPIRE', KEYS[1], 120000)
return {allowed, wait}
)lua";

std::string today() { return format_rfc3339(std::chrono::system_clock::now()).substr(0, 10); }

int64_t seconds_to_midnight_utc() {
  auto now = std::chrono::system_clock::now();
  auto day = std::chrono::floor<std::chrono::days>(now);
  return std::chrono::duration_cast<std::chrono::seconds>(day + std::chrono::days(1) - now).count() + 1;
}

// Spend is kept long enough for `roundtable spend --month` to look back a year.
constexpr auto kSpendKept = std::chrono::hours(24 * 400);

std::string dollars(int64_t micro_usd) {
  char text[64];
  std::snprintf(text, sizeof text, "$%.6f", static_cast<double>(micro_usd) / 1e6);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

RateLimiter::RateLimiter(redis::Client* redis, std::string fleet, std::string agent, int requests_per_minute,
                         int64_t tokens_per_day, Logger logger, int64_t micro_usd_per_day)
    : redis_(redis), fleet_(std::move(fleet)), agent_(std::move(agent)), rpm_(requests_per_minute),
      tokens_per_day_(tokens_per_day), micro_usd_per_day_(micro_usd_per_day), logger_(std::move(logger)),
      local_tokens_(requests_per_minute) {
  if (!redis_ && (rpm_ > 0 || tokens_per_day_ > 0 || micro_usd_per_day_ > 0))
    logger_.info("rate_limit.local", {{"reason", "no REDIS_URL: the rate limit and budgets count this gateway only"},
                                      {"requests_per_minute", rpm_}, {"tokens_per_day", tokens_per_day_},
                                      {"usd_per_day", static_cast<double>(micro_usd_per_day_) / 1e6}});
}

std::string RateLimiter::budget_key() const { return "rt:" + fleet_ + ":budget:" + agent_ + ":" + today(); }
std::string RateLimiter::spend_key() const { return "rt:" + fleet_ + ":spend:" + agent_ + ":" + today(); }

std::optional<Admission> RateLimiter::over_budget(int64_t tokens, int64_t micro_usd) const {
  if (tokens_per_day_ > 0 && tokens >= tokens_per_day_)
    return Admission{false, "daily token budget of " + std::to_string(tokens_per_day_) + " spent", seconds_to_midnight_utc()};
  if (micro_usd_per_day_ > 0 && micro_usd >= micro_usd_per_day_)
    return Admission{false, "daily spend budget of " + dollars(micro_usd_per_day_) + " spent (limits.usd_per_day)",
                     seconds_to_midnight_utc()};
  return std::nullopt;
}

// A day's counter from Redis; 0 when absent or unreadable (the budget then does not refuse).
int64_t RateLimiter::counter(const std::string& key) {
  auto value = redis_->get(key);
  if (!value || !value->has_value()) return 0;
  return std::strtoll((*value)->c_str(), nullptr, 10);
}

Admission RateLimiter::admit() {
  if (!redis_) return admit_local();
  int64_t tokens = tokens_per_day_ > 0 ? counter(budget_key()) : 0;
  int64_t micro_usd = micro_usd_per_day_ > 0 ? counter(spend_key()) : 0;
  if (auto refusal = over_budget(tokens, micro_usd)) return *refusal;
  if (rpm_ <= 0) return {};
  auto reply = redis_->eval(kTokenBucket, {"rt:" + fleet_ + ":rate:requests"}, {std::to_string(rpm_)});
  if (!reply || reply->elements.size() != 2) {
    logger_.warn("rate_limit.redis_unavailable", {{"error", reply ? "bad reply" : reply.error().message}});
    return admit_local();
  }
  if (reply->elements[0].integer == 1) return {};
  int64_t wait_ms = reply->elements[1].integer;
  return {false, "fleet rate limit of " + std::to_string(rpm_) + " requests per minute reached", std::max<int64_t>(1, (wait_ms + 999) / 1000)};
}

Admission RateLimiter::admit_local() {
  std::lock_guard lock(mutex_);
  if (local_day_ != today()) local_day_ = today(), local_spent_ = 0, local_micro_usd_ = 0;
  if (auto refusal = over_budget(local_spent_, local_micro_usd_)) return *refusal;
  if (rpm_ <= 0) return {};
  auto now = std::chrono::steady_clock::now();
  double rate = rpm_ / 60000.0;
  local_tokens_ = std::min<double>(rpm_, local_tokens_ + std::chrono::duration<double, std::milli>(now - local_refill_).count() * rate);
  local_refill_ = now;
  if (local_tokens_ >= 1) {
    local_tokens_ -= 1;
    return {};
  }
  return {false, "rate limit of " + std::to_string(rpm_) + " requests per minute reached",
          static_cast<int64_t>(std::ceil((1 - local_tokens_) / rate / 1000))};
}

void RateLimiter::record_tokens(int64_t tokens) {
  if (tokens <= 0) return;
  if (redis_) {
    auto key = budget_key();
    if (redis_->incr_by(key, tokens)) {
      redis_->expire(key, std::chrono::hours(48));
      return;
    }
  }
  record_local(tokens, 0);
}

void RateLimiter::record_local(int64_t tokens, int64_t micro_usd) {
  std::lock_guard lock(mutex_);
  if (local_day_ != today()) local_day_ = today(), local_spent_ = 0, local_micro_usd_ = 0;
  local_spent_ += tokens;
  local_micro_usd_ += micro_usd;
}

void RateLimiter::record(const std::string& model, const llm::Usage& usage) {
  record_tokens(usage.total());
  int64_t micro_usd = usage.cost_micro_usd;
  if (micro_usd <= 0) return;
  if (redis_) {
    auto key = spend_key();
    auto models = key + ":models";
    if (redis_->incr_by(key, micro_usd) &&
        redis_->command({"HINCRBY", models, model.empty() ? "unknown" : model, std::to_string(micro_usd)})) {
      redis_->expire(key, kSpendKept);
      redis_->expire(models, kSpendKept);
      return;
    }
    logger_.warn("rate_limit.redis_unavailable", {{"what", "spend not recorded in Redis; counted in this gateway"}});
  }
  record_local(0, micro_usd);
}

std::vector<BudgetUse> RateLimiter::budget_use() {
  int64_t tokens = 0, micro_usd = 0;
  if (redis_) {
    if (tokens_per_day_ > 0) tokens = counter(budget_key());
    if (micro_usd_per_day_ > 0) micro_usd = counter(spend_key());
  }
  {
    std::lock_guard lock(mutex_);
    if (local_day_ == today()) tokens += local_spent_, micro_usd += local_micro_usd_;
  }
  std::vector<BudgetUse> use;
  if (tokens_per_day_ > 0) use.push_back({"tokens", static_cast<double>(tokens) / static_cast<double>(tokens_per_day_)});
  if (micro_usd_per_day_ > 0) use.push_back({"usd", static_cast<double>(micro_usd) / static_cast<double>(micro_usd_per_day_)});
  return use;
}

}  // namespace rt::gateway
