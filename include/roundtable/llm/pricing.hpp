#pragma once
// Cost: a price table (USD per million tokens, per model) and the function from token usage to
// money, used by results (costUsd), the gateway's metrics and the daily money budget.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/llm/types.hpp"

namespace rt::llm {

// USD per million tokens of each kind.
struct Price {
  double input = 0;
  double output = 0;
  double cache_read = 0;
  double cache_write = 0;
};

// What a call cost. Micro-dollars, whole: budgets and `roundtable spend` add integers, so the
// sum of the results' costs and the counters in Redis agree to the last digit.
struct Cost {
  int64_t micro_usd = 0;
  bool known = true;  // false: the model is not in the table and was counted as free
  double usd() const { return static_cast<double>(micro_usd) / 1e6; }
};

class PriceTable {
 public:
  // The prices shipped with this version (kPricesAsOf), for the Anthropic and OpenAI models the
  // knights use, and "offline" at zero.
  static PriceTable builtin();
  // {"models": {"<name>": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}}}
  // (or the models map alone). Throws std::invalid_argument naming the bad entry.
  static PriceTable from_json(const nlohmann::json& doc);

  // Entries of `other` replace (per model, as a whole) or add to this table's.
  void merge(const PriceTable& other);
  void set(const std::string& model, Price price) { prices_[model] = price; }
  // Exact name first, then without a date suffix (claude-sonnet-4-5-20250929,
  // gpt-4o-2024-08-06) or "-latest".
  std::optional<Price> find(const std::string& model) const;
  Cost cost(const std::string& model, const Usage& usage) const;
  size_t size() const { return prices_.size(); }
  std::string as_of;  // the date the shipped prices were read from the providers' pages

 private:
  std::map<std::string, Price> prices_;
};

// The built-in table with the file's entries (YAML or JSON) merged over it. Throws
// config::ConfigError naming PRICE_TABLE and the file on anything unreadable or invalid.
PriceTable load_price_table(const std::filesystem::path& file);

// Rounded to the nearest micro-dollar; negative or absent token counts cost nothing.
int64_t micro_usd(const Price& price, const Usage& usage);

}  // namespace rt::llm
