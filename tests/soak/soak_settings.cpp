#include "soak/soak_settings.hpp"

#include <cstdlib>
#include <stdexcept>

#include "roundtable/common/duration.hpp"

namespace rt::soak {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

long long integer(const char* name, long long fallback) {
  const char* value = env(name);
  if (!value) return fallback;
  char* end = nullptr;
  long long parsed = std::strtoll(value, &end, 10);
  if (*end != '\0' || parsed < 0) throw std::runtime_error(std::string(name) + " must be a non-negative integer, got '" + value + "'");
  return parsed;
}

std::chrono::milliseconds duration(const char* name, std::chrono::milliseconds fallback) {
  const char* value = env(name);
  if (!value) return fallback;
  auto parsed = parse_duration(value);
  if (!parsed) throw std::runtime_error(std::string(name) + " must be a duration such as 500ms or 30s, got '" + value + "'");
  return *parsed;
}

}  // namespace

std::chrono::milliseconds SoakSettings::backoff_budget() const {
  auto delays = parse_duration_list(backoff);
  if (!delays || delays->empty()) return std::chrono::milliseconds(0);
  std::chrono::milliseconds total{0};
  for (int attempt = 1; attempt < max_deliver; ++attempt)
    total += (*delays)[std::min<size_t>(static_cast<size_t>(attempt - 1), delays->size() - 1)];
  return total;
}

SoakSettings soak_settings_from_env(const SoakSettings& defaults) {
  SoakSettings s = defaults;
  s.tasks = static_cast<int>(integer("SOAK_TASKS", s.tasks));
  if (const char* rate = env("SOAK_RATE")) s.rate = std::atof(rate);
  if (s.rate <= 0) throw std::runtime_error("SOAK_RATE must be a positive number of tasks per second");
  s.seed = static_cast<uint32_t>(integer("SOAK_SEED", s.seed));
  s.chaos_actions = static_cast<int>(integer("SOAK_CHAOS_ACTIONS", s.chaos_actions));
  s.chaos_gap = duration("SOAK_CHAOS_GAP", s.chaos_gap);
  s.timeout = std::chrono::duration_cast<std::chrono::seconds>(duration("SOAK_TIMEOUT", s.timeout));
  if (const char* backoff = env("SOAK_BACKOFF")) s.backoff = backoff;
  if (!parse_duration_list(s.backoff)) throw std::runtime_error("SOAK_BACKOFF must be a comma list of durations");
  s.max_deliver = static_cast<int>(integer("SOAK_MAX_DELIVER", s.max_deliver));
  if (const char* ack_wait = env("SOAK_ACK_WAIT")) s.ack_wait = ack_wait;
  if (const char* delay = env("SOAK_LLM_DELAY")) {
    auto range = parse_duration_list(delay);
    if (!range || range->size() != 2) throw std::runtime_error("SOAK_LLM_DELAY must be two durations, min,max (20ms,150ms)");
    s.llm_min = (*range)[0];
    s.llm_max = (*range)[1];
  }
  if (const char* report = env("SOAK_REPORT")) s.report = report;
  if (const char* bin = env("RT_BIN_DIR")) s.binaries = bin;
  s.keep_logs = integer("SOAK_KEEP_LOGS", 0) != 0;
  return s;
}

}  // namespace rt::soak
