#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "roundtable/llm/types.hpp"

namespace rt::llm {

struct ProviderSettings {
  std::string base_url;  // https://api.anthropic.com, https://api.openai.com, or any compatible server
  std::string api_key;
  std::chrono::milliseconds timeout{120'000};  // per call
};

// Anthropic Messages API: x-api-key, anthropic-version 2023-06-01, cached system prompt, tools.
std::unique_ptr<Provider> make_anthropic(ProviderSettings settings);
// OpenAI chat completions (also vLLM, Ollama, llama.cpp server, LiteLLM): tools, usage.
std::unique_ptr<Provider> make_openai(ProviderSettings settings);

// No network: a deterministic answer built from the workspace and the task, labelled offline.
// On the first turn it calls every tool that needs no input, then summarises their output.
struct OfflineWorkspace {
  std::string agent;
  std::string soul_title;  // first heading of SOUL.md
  size_t memory_lines = 0;
};
std::unique_ptr<Provider> make_offline(OfflineWorkspace workspace);

// Retries a provider on retryable failures with exponential back-off (honouring retry-after),
// then moves through the fallback models in order. A retry-after longer than max_delay ends
// the model's turn at once; no sleep runs past the request's deadline. Sleep and clock are
// seams for tests.
struct RetryPolicy {
  int attempts_per_model = 3;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{20'000};
  std::function<void(std::chrono::milliseconds)> sleep;  // default: this_thread::sleep_for
  std::function<std::chrono::steady_clock::time_point()> now;  // default: steady_clock::now
};
class RetryingProvider final : public Provider {
 public:
  RetryingProvider(std::unique_ptr<Provider> inner, std::vector<std::string> fallback_models, RetryPolicy policy);
  Outcome complete(const Request& request) override;
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<Provider> inner_;
  std::vector<std::string> fallbacks_;
  RetryPolicy policy_;
};

}  // namespace rt::llm
