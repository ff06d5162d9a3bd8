// spend: today's and this month's LLM spend per knight and model, from the gateways' counters
// in Redis (docs/contract.md §8 rt:<fleet>:spend:<agent>:<yyyy-mm-dd>:models, micro-dollars).
#include <cstdio>
#include <map>
#include <stdexcept>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::cli {

using nlohmann::json;

namespace {

constexpr const char* kUsage = R"(usage: roundtable spend [--month YYYY-MM] [--redis-url URL] [--fleet F] [--json]

Prints what the fleet's knights spent on LLM calls today (UTC) and in the month, per knight and
model, in USD: the gateways price every call's tokens with their price table (PRICE_TABLE over
the shipped list prices) and add it up in Redis, the same numbers as the results' costUsd.
  --month YYYY-MM    the month to sum (this month); "today" stays today
  --redis-url URL    REDIS_URL (redis://127.0.0.1:6379)
  --json             print {"fleet", "today", "month", "todayUsd", "monthUsd", "knights": [{"agent",
                     "todayUsd", "monthUsd", "models": [{"model", "todayUsd", "monthUsd", ...}]}]}
                     (each *Usd also as *MicroUsd, whole micro-dollars)

Exit codes: 0 printed, 1 Redis could not be read, 2 bad arguments.
)";

struct Spend {
  int64_t today = 0;  // micro-dollars
  int64_t month = 0;
};

// agent -> model -> spend
using SpendTable = std::map<std::string, std::map<std::string, Spend>>;

bool is_month(const std::string& text) {
  if (text.size() != 7 || text[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6})
    if (text[i] < '0' || text[i] > '9') return false;
  int month = (text[5] - '0') * 10 + (text[6] - '0');
  return month >= 1 && month <= 12;
}

std::vector<std::string> spend_keys(redis::Client& redis, const std::string& pattern) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto reply = redis.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply) throw std::runtime_error("cannot read Redis: " + reply.error().message);
    if (reply->elements.size() != 2) throw std::runtime_error("cannot read Redis: unexpected SCAN reply");
    cursor = reply->elements[0].text;
    for (const auto& key : reply->elements[1].elements) keys.push_back(key.text);
  } while (cursor != "0");
  return keys;
}

// Adds the month's per-day hashes into the table; today's also into the today column.
void add_month(redis::Client& redis, const std::string& fleet, const std::string& month, const std::string& today,
               bool is_today_column_only, SpendTable& table) {
  const std::string prefix = "rt:" + fleet + ":spend:", suffix = ":models";
  for (const auto& key : spend_keys(redis, prefix + "*:" + month + "-*" + suffix)) {
    std::string middle = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());  // <agent>:<date>
    auto colon = middle.rfind(':');
    if (colon == std::string::npos) continue;
    std::string agent = middle.substr(0, colon), day = middle.substr(colon + 1);
    if (is_today_column_only && day != today) continue;
    auto models = redis.hgetall(key);
    if (!models) throw std::runtime_error("cannot read " + key + ": " + models.error().message);
    for (const auto& [model, value] : *models) {
      int64_t micro = std::strtoll(value.c_str(), nullptr, 10);
      auto& spend = table[agent][model];
      if (!is_today_column_only) spend.month += micro;
      if (day == today) spend.today += micro;
    }
  }
}

double usd(int64_t micro) { return static_cast<double>(micro) / 1e6; }

json spend_json(const Spend& s) {
  return {{"todayUsd", usd(s.today)}, {"monthUsd", usd(s.month)}, {"todayMicroUsd", s.today}, {"monthMicroUsd", s.month}};
}

void print_table(const std::string& fleet, const std::string& today, const std::string& month, const SpendTable& table) {
  if (table.empty()) {
    std::printf("no spend recorded for fleet %s in %s\n", fleet.c_str(), month.c_str());
    return;
  }
  std::printf("%-20s %-32s %14s %14s\n", "AGENT", "MODEL", ("TODAY " + today.substr(5)).c_str(), ("MONTH " + month).c_str());
  Spend total;
  for (const auto& [agent, models] : table)
    for (const auto& [model, s] : models) {
      std::printf("%-20s %-32s %14.6f %14.6f\n", agent.c_str(), model.c_str(), usd(s.today), usd(s.month));
      total.today += s.today;
      total.month += s.month;
    }
  std::printf("%-20s %-32s %14.6f %14.6f\n", "TOTAL", "", usd(total.today), usd(total.month));
}

int run_spend(const config::Settings& s, const std::vector<std::string>& positional) {
  if (!positional.empty()) throw config::ConfigError("spend", "unexpected argument '" + positional[0] + "'");
  auto fleet = fleet_of(s);
  std::string today = format_rfc3339(std::chrono::system_clock::now()).substr(0, 10);
  std::string month = s.text("MONTH", today.substr(0, 7));
  if (!is_month(month)) throw config::ConfigError("MONTH", "--month must be YYYY-MM, got '" + month + "'");
  std::string url_text = s.text("REDIS_URL", "redis://127.0.0.1:6379");
  auto url = redis::parse_redis_url(url_text);
  if (!url) throw config::ConfigError("REDIS_URL", "REDIS_URL: " + url.error().message);
  LogSettings quiet;
  quiet.level = "off";  // a failure is reported once, as the command's error
  redis::Client redis(*url, Logger(quiet));
  SpendTable table;
  add_month(redis, fleet, month, today, false, table);
  if (month != today.substr(0, 7)) add_month(redis, fleet, today.substr(0, 7), today, true, table);
  if (!s.boolean("JSON", false)) {
    print_table(fleet, today, month, table);
    return 0;
  }
  json knights = json::array();
  Spend total;
  for (const auto& [agent, models] : table) {
    Spend sum;
    json rows = json::array();
    for (const auto& [model, spend] : models) {
      json row = spend_json(spend);
      row["model"] = model;
      rows.push_back(row);
      sum.today += spend.today, sum.month += spend.month;
    }
    json knight = spend_json(sum);
    knight["agent"] = agent;
    knight["models"] = rows;
    knights.push_back(knight);
    total.today += sum.today, total.month += sum.month;
  }
  json out = spend_json(total);
  out.update({{"fleet", fleet}, {"today", today}, {"month", month}, {"knights", knights}});
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

Command spend_command() {
  Command c;
  c.words = {"spend"};
  c.summary = "LLM spend in USD per knight and model, today and this month (Redis)";
  c.usage = kUsage;
  c.flags = {"MONTH", "REDIS_URL"};
  c.boolean_flags = {"JSON"};
  c.environment = {"REDIS_URL"};
  c.run = run_spend;
  return c;
}

}  // namespace rt::cli
