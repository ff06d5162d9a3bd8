#include "roundtable/llm/pricing.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "roundtable/config/settings.hpp"
#include "roundtable/config/yaml_json.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

// List prices in USD per million tokens (input, output, cache read, cache write), read on the
// date below from https://docs.anthropic.com/en/docs/about-claude/pricing (cache writes: the
// 5-minute cache, the one our requests ask for) and https://developers.openai.com/api/docs/pricing
// (OpenAI bills no cache writes: they cost what input does). Override with PRICE_TABLE.
constexpr const char* kPricesAsOf = "2026-11-29";
struct Entry {
  const char* model;
  Price price;
};
constexpr Entry kBuiltin[] = {
    {"claude-opus-4-5", {5, 25, 0.50, 6.25}},
    {"claude-opus-4-1", {15, 75, 1.50, 18.75}},
    {"claude-opus-4-0", {15, 75, 1.50, 18.75}},
    {"claude-opus-4", {15, 75, 1.50, 18.75}},
    {"claude-sonnet-4-5", {3, 15, 0.30, 3.75}},
    {"claude-sonnet-4-0", {3, 15, 0.30, 3.75}},
    {"claude-sonnet-4", {3, 15, 0.30, 3.75}},
    {"claude-3-7-sonnet", {3, 15, 0.30, 3.75}},
    {"claude-haiku-4-5", {1, 5, 0.10, 1.25}},
    {"claude-3-5-haiku", {0.80, 4, 0.08, 1}},
    {"claude-3-haiku", {0.25, 1.25, 0.03, 0.30}},
    {"gpt-5", {1.25, 10, 0.125, 1.25}},
    {"gpt-5-mini", {0.25, 2, 0.025, 0.25}},
    {"gpt-5-nano", {0.05, 0.40, 0.005, 0.05}},
    {"gpt-4.1", {2, 8, 0.50, 2}},
    {"gpt-4.1-mini", {0.40, 1.60, 0.10, 0.40}},
    {"gpt-4.1-nano", {0.10, 0.40, 0.025, 0.10}},
    {"gpt-4o", {2.50, 10, 1.25, 2.50}},
    {"gpt-4o-mini", {0.15, 0.60, 0.075, 0.15}},
    {"o3", {2, 8, 0.50, 2}},
    {"o4-mini", {1.10, 4.40, 0.275, 1.10}},
    {"offline", {0, 0, 0, 0}},
};

bool all_digits(const std::string& text, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return to > from;
}

// "claude-sonnet-4-5-20250929" -> "claude-sonnet-4-5"; "gpt-4o-2024-08-06" -> "gpt-4o";
// "claude-3-5-haiku-latest" -> "claude-3-5-haiku". Anything else: nullopt.
std::optional<std::string> undated(const std::string& model) {
  const std::string latest = "-latest";
  if (model.size() > latest.size() && model.compare(model.size() - latest.size(), latest.size(), latest) == 0)
    return model.substr(0, model.size() - latest.size());
  size_t n = model.size();
  if (n > 9 && model[n - 9] == '-' && all_digits(model, n - 8, n)) return model.substr(0, n - 9);
  if (n > 11 && model[n - 11] == '-' && model[n - 6] == '-' && model[n - 3] == '-' && all_digits(model, n - 10, n - 6) &&
      all_digits(model, n - 5, n - 3) && all_digits(model, n - 2, n))
    return model.substr(0, n - 11);
  return std::nullopt;
}

double rate(const json& entry, const char* field, const std::string& model) {
  auto it = entry.find(field);
  if (it == entry.end()) return 0;
  if (!it->is_number() || it->get<double>() < 0 || !std::isfinite(it->get<double>()))
    throw std::invalid_argument("model '" + model + "': '" + field + "' must be a number of USD per million tokens, at least 0");
  return it->get<double>();
}

}  // namespace

PriceTable PriceTable::builtin() {
  PriceTable table;
  for (const auto& entry : kBuiltin) table.prices_[entry.model] = entry.price;
  table.as_of = kPricesAsOf;
  return table;
}

PriceTable PriceTable::from_json(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("expected a mapping of model names to prices");
  const json& models = doc.contains("models") ? doc["models"] : doc;
  if (!models.is_object()) throw std::invalid_argument("'models' must be a mapping of model names to prices");
  PriceTable table;
  if (auto date = doc.find("as_of"); date != doc.end() && date->is_string()) table.as_of = date->get<std::string>();
  for (const auto& [model, entry] : models.items()) {
    if (model == "as_of") continue;
    if (!entry.is_object())
      throw std::invalid_argument("model '" + model + "': expected {input, output, cache_read, cache_write}");
    for (const auto& [field, value] : entry.items())
      if (field != "input" && field != "output" && field != "cache_read" && field != "cache_write")
        throw std::invalid_argument("model '" + model + "': unknown field '" + field + "' (input, output, cache_read, cache_write)");
    Price price{rate(entry, "input", model), rate(entry, "output", model), 0, 0};
    // A provider without cache prices bills cached input like input.
    price.cache_read = entry.contains("cache_read") ? rate(entry, "cache_read", model) : price.input;
    price.cache_write = entry.contains("cache_write") ? rate(entry, "cache_write", model) : price.input;
    table.prices_[model] = price;
  }
  return table;
}

void PriceTable::merge(const PriceTable& other) {
  for (const auto& [model, price] : other.prices_) prices_[model] = price;
  if (!other.as_of.empty()) as_of = other.as_of;
}

std::optional<Price> PriceTable::find(const std::string& model) const {
  if (auto it = prices_.find(model); it != prices_.end()) return it->second;
  if (auto base = undated(model))
    if (auto it = prices_.find(*base); it != prices_.end()) return it->second;
  return std::nullopt;
}

int64_t micro_usd(const Price& price, const Usage& usage) {
  auto tokens = [](int64_t n) { return static_cast<double>(std::max<int64_t>(0, n)); };
  // tokens × USD per million tokens = micro-dollars.
  double micro = tokens(usage.input_tokens) * price.input + tokens(usage.output_tokens) * price.output +
                 tokens(usage.cache_read_tokens) * price.cache_read + tokens(usage.cache_write_tokens) * price.cache_write;
  return std::llround(micro);
}

Cost PriceTable::cost(const std::string& model, const Usage& usage) const {
  auto price = find(model);
  if (!price) return {0, false};
  return {micro_usd(*price, usage), true};
}

PriceTable load_price_table(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config::ConfigError("PRICE_TABLE", "PRICE_TABLE: " + file.string() + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  PriceTable table = PriceTable::builtin();
  try {
    table.merge(PriceTable::from_json(config::yaml_to_json(YAML::Load(text.str()))));  // JSON is YAML too
  } catch (const YAML::Exception& e) {
    throw config::ConfigError("PRICE_TABLE", "PRICE_TABLE: " + file.string() + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("PRICE_TABLE", "PRICE_TABLE: " + file.string() + ": " + e.what());
  }
  return table;
}

}  // namespace rt::llm
