#include <algorithm>
#include <thread>

#include "roundtable/llm/providers.hpp"

namespace rt::llm {

RetryingProvider::RetryingProvider(std::unique_ptr<Provider> inner, std::vector<std::string> fallback_models, RetryPolicy policy)
    : inner_(std::move(inner)), fallbacks_(std::move(fallback_models)), policy_(std::move(policy)) {
  if (!policy_.sleep) policy_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!policy_.now) policy_.now = [] { return std::chrono::steady_clock::now(); };
}

Outcome RetryingProvider::complete(const Request& request) {
  std::vector<std::string> models{request.model};
  for (const auto& fallback : fallbacks_)
    if (std::find(models.begin(), models.end(), fallback) == models.end()) models.push_back(fallback);
  Outcome last = Outcome::fail(Failure{ErrorCode::model_error, "no model to call", 0, true, std::nullopt});
  for (const auto& model : models) {
    Request attempt_request = request;
    attempt_request.model = model;
    auto delay = policy_.base_delay;
    for (int attempt = 1; attempt <= policy_.attempts_per_model; ++attempt) {
      if (request.deadline && policy_.now() >= *request.deadline) return last;
      last = inner_->complete(attempt_request);
      if (last.ok() || !last.failure.retryable) return last;
      if (attempt == policy_.attempts_per_model) break;
      // A server asking for a longer pause than we would ever sleep: this model is out for
      // now; the next model may answer, else the caller hands the wait on (retryAfterSeconds).
      if (last.failure.retry_after && *last.failure.retry_after > policy_.max_delay) break;
      auto wait = std::min(last.failure.retry_after.value_or(delay), policy_.max_delay);
      if (request.deadline && policy_.now() + wait >= *request.deadline) return last;
      policy_.sleep(wait);
      delay = std::min(delay * 2, policy_.max_delay);
    }
  }
  return last;
}

}  // namespace rt::llm
