// Builds the provider chain: raw provider -> metered -> retrying with fallbacks.
#include "providers_setup.hpp"

#include <mutex>
#include <set>

namespace rt::gateway {
namespace {

class MeteredProvider final : public llm::Provider {
 public:
  MeteredProvider(std::unique_ptr<llm::Provider> inner, const llm::PriceTable& prices, std::string agent,
                  http::MetricsRegistry& metrics, Logger logger)
      : inner_(std::move(inner)), prices_(prices), agent_(std::move(agent)), metrics_(metrics), logger_(std::move(logger)) {}
  std::string name() const override { return inner_->name(); }
  llm::Outcome complete(const llm::Request& request) override {
    auto outcome = inner_->complete(request);
    if (outcome.ok()) price(*outcome.response, request.model);
    std::string result = outcome.ok() ? "ok" : outcome.failure.http_status ? std::to_string(outcome.failure.http_status) : "unreachable";
    metrics_.add("roundtable_gateway_llm_calls_total", 1, {{"provider", name()}, {"model", request.model}, {"outcome", result}});
    if (outcome.ok()) {
      const auto& u = outcome.response->usage;
      metrics_.add("roundtable_gateway_tokens_total", static_cast<double>(u.input_tokens), {{"kind", "input"}});
      metrics_.add("roundtable_gateway_tokens_total", static_cast<double>(u.output_tokens), {{"kind", "output"}});
      metrics_.add("roundtable_gateway_tokens_total", static_cast<double>(u.cache_read_tokens), {{"kind", "cache_read"}});
      metrics_.add("roundtable_gateway_tokens_total", static_cast<double>(u.cache_write_tokens), {{"kind", "cache_write"}});
    } else {
      logger_.warn("llm.call_failed", {{"model", request.model}, {"status", outcome.failure.http_status}, {"error", outcome.failure.message}});
    }
    return outcome;
  }

 private:
  // The response's cost, priced by the model that answered (the asked one if it does not say).
  void price(llm::Response& response, const std::string& asked) {
    auto& u = response.usage;
    const std::string& model = response.model.empty() ? asked : response.model;
    auto cost = prices_.cost(model, u);
    u.cost_micro_usd = cost.micro_usd;
    u.cost_known = cost.known;
    if (!cost.known && first_unpriced(model))
      logger_.warn("llm.model_unpriced", {{"model", model}, {"what", "not in the price table (PRICE_TABLE): counted as $0"}});
    http::Labels labels{{"agent", agent_}, {"model", model}};
    metrics_.add("roundtable_gateway_cost_usd_total", cost.usd(), labels);
    for (auto [kind, n] : {std::pair{"input", u.input_tokens}, {"output", u.output_tokens}, {"cache_read", u.cache_read_tokens},
                           {"cache_write", u.cache_write_tokens}}) {
      labels["kind"] = kind;
      metrics_.add("roundtable_gateway_model_tokens_total", static_cast<double>(n), labels);
    }
  }

  bool first_unpriced(const std::string& model) {
    std::lock_guard lock(unpriced_mutex_);
    return unpriced_.insert(model).second;
  }

  std::unique_ptr<llm::Provider> inner_;
  std::mutex unpriced_mutex_;
  std::set<std::string> unpriced_;  // logged once each
  const llm::PriceTable& prices_;
  std::string agent_;
  http::MetricsRegistry& metrics_;
  Logger logger_;
};

std::string first_heading(const std::string& soul) {
  size_t pos = 0;
  while (pos < soul.size()) {
    size_t end = soul.find('\n', pos);
    std::string line = soul.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.rfind("# ", 0) == 0) return line.substr(2);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

}  // namespace

std::unique_ptr<llm::Provider> make_provider_chain(const GatewayConfig& config, const Workspace& workspace,
                                                   http::MetricsRegistry& metrics, const Logger& logger) {
  std::unique_ptr<llm::Provider> raw;
  llm::ProviderSettings settings{config.base_url, config.api_key, config.llm_timeout};
  if (config.provider == "anthropic") raw = llm::make_anthropic(settings);
  else if (config.provider == "openai") raw = llm::make_openai(settings);
  else {
    size_t lines = 0;
    for (char c : workspace.memory()) lines += c == '\n';
    raw = llm::make_offline({workspace.knight.name, first_heading(workspace.soul), lines});
  }
  auto metered = std::make_unique<MeteredProvider>(std::move(raw), config.prices, config.agent, metrics, logger);
  llm::RetryPolicy policy;
  policy.attempts_per_model = config.retry_attempts;
  policy.base_delay = config.retry_base_delay;
  return std::make_unique<llm::RetryingProvider>(std::move(metered), workspace.knight.model.fallbacks, policy);
}

void register_gateway_metrics(http::MetricsRegistry& r) {
  r.counter("roundtable_gateway_requests_total", "HTTP requests by endpoint and status.");
  r.counter("roundtable_gateway_llm_calls_total", "LLM API calls by provider, model and outcome.");
  r.counter("roundtable_gateway_tokens_total", "Tokens used, by kind (input, output, cache_read, cache_write).");
  for (const char* kind : {"input", "output", "cache_read", "cache_write"}) r.add("roundtable_gateway_tokens_total", 0, {{"kind", kind}});
  r.counter("roundtable_gateway_model_tokens_total", "Tokens used, by agent, model and kind.");
  r.counter("roundtable_gateway_cost_usd_total", "LLM spend in USD (price table x tokens), by agent and model.");
  r.gauge("roundtable_gateway_budget_used_ratio", "Today's share of the daily budget used, by agent and kind (tokens, usd).");
  r.counter("roundtable_gateway_tool_calls_total", "Tool calls by tool and outcome.");
  r.counter("roundtable_gateway_rate_limited_total", "Requests refused by the rate limit or token budget.");
  r.add("roundtable_gateway_rate_limited_total", 0);
  r.counter("roundtable_gateway_tasks_total", "Tasks answered, by outcome.");
  r.histogram("roundtable_gateway_task_duration_seconds", "Time to answer a task or chat request.",
              {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300});
  r.gauge("roundtable_gateway_in_flight", "Tasks being answered.");
  r.gauge("roundtable_gateway_waiting", "Tasks waiting for a free slot (GATEWAY_MAX_CONCURRENCY).");
}

}  // namespace rt::gateway
