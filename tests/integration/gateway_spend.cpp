// Spend in money through the real knight-gateway: every result's costUsd, the cost metrics, the
// daily money budget (limits.usd_per_day) in a real Redis, and `roundtable spend` agreeing with
// the results. The LLM is a scripted stand-in speaking the Anthropic Messages API.
#include <gtest/gtest.h>

#include <httplib.h>

#include <atomic>
#include <cmath>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/servers.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

constexpr const char* kModel = "claude-sonnet-4-5-20250929";  // dated: priced as claude-sonnet-4-5

// An Anthropic answer with the given usage, from the given model.
GatewayReply priced_text(const std::string& text, int input, int output, int cache_read, int cache_write,
                         const std::string& model = kModel) {
  json body = {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
               {"content", json::array({{{"type", "text"}, {"text", text}}})}, {"stop_reason", "end_turn"},
               {"usage", {{"input_tokens", input}, {"output_tokens", output}, {"cache_read_input_tokens", cache_read},
                          {"cache_creation_input_tokens", cache_write}}}};
  return GatewayReply{200, "application/json", body.dump(), {}, {}};
}

// Sonnet list prices, USD per million tokens: input 3, output 15, cache read 0.30, cache write 3.75.
int64_t sonnet_micro_usd(int input, int output, int cache_read, int cache_write) {
  return std::llround(input * 3 + output * 15 + cache_read * 0.30 + cache_write * 3.75);
}

int64_t micro(const json& cost) { return std::llround(cost.get<double>() * 1e6); }

// The value of one series in a Prometheus text page, or NaN when it is not there.
double series_value(const std::string& page, const std::string& series) {
  auto at = page.find("\n" + series + " ");
  if (at == std::string::npos) return std::nan("");
  return std::strtod(page.c_str() + at + series.size() + 2, nullptr);
}

class GatewaySpend : public ::testing::Test {
 protected:
  void SetUp() override { redis_.start(); }
  void TearDown() override {
    if (HasFailure())
      for (auto& g : gateways_) std::cerr << "---- gateway log ----\n" << g->output().substr(0, 10000) << "\n";
  }
  void limit_usd_per_day(TempWorkspace& ws, const std::string& usd) {
    auto yaml = ws.read("knight.yaml");
    yaml.replace(yaml.find("tokens_per_day: 0"), 17, "tokens_per_day: 0\n  usd_per_day: " + usd);
    ws.write("knight.yaml", yaml);
  }
  GatewayProcess& start(TempWorkspace& ws, std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> base{{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()},
                                            {"ANTHROPIC_API_KEY", "sk-ant-test-key"}, {"REDIS_URL", redis_.url()}};
    for (auto& [k, v] : env) base[k] = v;
    gateways_.push_back(std::make_unique<GatewayProcess>(ws.dir(), base));
    gateways_.back()->start();
    EXPECT_TRUE(gateways_.back()->wait_ready()) << gateways_.back()->output();
    return *gateways_.back();
  }
  std::string metrics(GatewayProcess& gw) {
    httplib::Client client("127.0.0.1", gw.port());
    auto res = client.Get("/metrics");
    return res && res->status == 200 ? res->body : "";
  }
  CommandResult spend(std::vector<std::string> args) {
    std::string binary = std::string(RT_BIN_DIR) + "/roundtable";
    EXPECT_TRUE(std::filesystem::exists(binary)) << binary << " is missing: build the roundtable target too";
    args.insert(args.begin(), binary);
    args.insert(args.begin() + 1, "spend");
    return run_command(args, {{"REDIS_URL", redis_.url()}, {"FLEET_ID", "fleet-a"}});
  }

  RedisServer redis_;
  TempWorkspace ws_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
};

TEST_F(GatewaySpend, EveryResultCarriesTheCostOfAllItsCalls) {
  script_.then([] {
    json body = json::parse(anthropic_tool_use("echo", {{"text", "hi"}}).body);
    body["model"] = kModel;
    body["usage"] = {{"input_tokens", 1000}, {"output_tokens", 500}, {"cache_read_input_tokens", 2000}, {"cache_creation_input_tokens", 100}};
    return GatewayReply{200, "application/json", body.dump(), {}, {}};
  }());
  script_.then(priced_text("the walls hold", 3000, 200, 2100, 0));
  auto& gw = start(ws_);
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  ASSERT_EQ(answer["status"], "completed") << answer.dump();
  const json& meta = answer["result"]["metadata"];
  int64_t expected = sonnet_micro_usd(1000, 500, 2000, 100) + sonnet_micro_usd(3000, 200, 2100, 0);
  EXPECT_EQ(expected, 11475 + 12630);
  ASSERT_TRUE(meta["costUsd"].is_number()) << meta.dump();
  EXPECT_EQ(micro(meta["costUsd"]), expected);
  EXPECT_EQ(meta["costKnown"], true);
  EXPECT_EQ(llm_.calls().size(), 2u);
  auto text = metrics(gw);
  EXPECT_NEAR(series_value(text, "roundtable_gateway_cost_usd_total{agent=\"testknight\",model=\"" + std::string(kModel) + "\"}"),
              0.024105, 1e-12) << text;
  EXPECT_EQ(series_value(text, "roundtable_gateway_model_tokens_total{agent=\"testknight\",kind=\"output\",model=\"" + std::string(kModel) + "\"}"),
            700) << text;
}

TEST_F(GatewaySpend, AModelWithoutAPriceCostsNothingAndSaysSo) {
  script_.otherwise([](const GatewayCall&) { return priced_text("hello", 100, 20, 0, 0, "mystery-model-7"); });
  auto& gw = start(ws_);
  auto [status, answer] = gw.task();
  ASSERT_EQ(status, 200);
  const json& meta = answer["result"]["metadata"];
  EXPECT_EQ(meta["costUsd"], 0);
  EXPECT_EQ(meta["costKnown"], false);
  EXPECT_EQ(gw.task().second["result"]["metadata"]["costKnown"], false);
  auto log = gw.output();
  auto first = log.find("llm.model_unpriced");
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("llm.model_unpriced", first + 1), std::string::npos) << "said once per model";
}

TEST_F(GatewaySpend, AKnightOverItsMoneyBudgetAnswersRateLimitedWithoutCallingTheLlm) {
  limit_usd_per_day(ws_, "0.000001");
  script_.otherwise([](const GatewayCall&) { return priced_text("an answer", 1000, 100, 0, 0); });
  auto& gw = start(ws_);
  auto first = gw.task();
  ASSERT_EQ(first.second["status"], "completed") << first.second.dump();
  EXPECT_EQ(micro(first.second["result"]["metadata"]["costUsd"]), sonnet_micro_usd(1000, 100, 0, 0));
  auto second = gw.task();
  EXPECT_EQ(second.second["status"], "failed") << second.second.dump();
  EXPECT_EQ(second.second["error"], "rate_limited");
  EXPECT_NE(second.second["message"].get<std::string>().find("usd_per_day"), std::string::npos) << second.second.dump();
  EXPECT_NE(second.second["message"].get<std::string>().find("$0.000001"), std::string::npos) << second.second.dump();
  EXPECT_TRUE(second.second["retryAfterSeconds"].is_number_integer()) << "retry after midnight UTC: " << second.second.dump();
  EXPECT_EQ(llm_.calls().size(), 1u) << "the budget refused before any LLM call";
  auto text = metrics(gw);
  // 4500 µ$ spent of a 1 µ$ budget.
  EXPECT_EQ(series_value(text, "roundtable_gateway_budget_used_ratio{agent=\"testknight\",kind=\"usd\"}"), 4500) << text;
}

TEST_F(GatewaySpend, RoundtableSpendMatchesTheSumOfTheResultsCosts) {
  // Two knights: the second under another name, with a PRICE_TABLE making its model dearer.
  TempWorkspace other;
  auto prices = other.dir() / "prices.yaml";
  other.write("prices.yaml", "models:\n  claude-sonnet-4-5: {input: 30, output: 150, cache_read: 3, cache_write: 37.5}\n");
  std::atomic<int> calls{0};
  script_.otherwise([&calls](const GatewayCall&) {
    int n = ++calls;
    return priced_text("answer", 1000 + n, 100 + n, 500, 50);
  });
  auto& galahad = start(ws_, {{"AGENT_ID", "galahad"}});
  auto& gawain = start(other, {{"AGENT_ID", "gawain"}, {"PRICE_TABLE", prices.string()}});
  std::map<std::string, int64_t> by_agent;
  for (int i = 0; i < 3; ++i)
    for (auto* gw : {&galahad, &gawain}) {
      auto [status, answer] = gw->task();
      ASSERT_EQ(answer["status"], "completed") << answer.dump();
      by_agent[answer["result"]["metadata"]["agent"]] += micro(answer["result"]["metadata"]["costUsd"]);
    }
  ASSERT_EQ(by_agent.size(), 2u);
  EXPECT_GT(by_agent["gawain"], 9 * by_agent["galahad"]) << "PRICE_TABLE's tenfold price applied";

  auto result = spend({"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto doc = json::parse(result.output.substr(result.output.find('{')));
  EXPECT_EQ(doc["fleet"], "fleet-a");
  EXPECT_EQ(doc["todayMicroUsd"], by_agent["galahad"] + by_agent["gawain"]) << doc.dump();
  EXPECT_EQ(doc["monthMicroUsd"], by_agent["galahad"] + by_agent["gawain"]) << doc.dump();
  ASSERT_EQ(doc["knights"].size(), 2u) << doc.dump();
  for (const auto& knight : doc["knights"]) {
    std::string agent = knight["agent"];
    EXPECT_EQ(knight["monthMicroUsd"], by_agent[agent]) << agent;
    ASSERT_EQ(knight["models"].size(), 1u);
    EXPECT_EQ(knight["models"][0]["model"], kModel);
    EXPECT_EQ(micro(knight["models"][0]["todayUsd"]), by_agent[agent]);
  }

  auto table = spend({});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("galahad"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("TOTAL"), std::string::npos) << table.output;

  auto earlier = spend({"--json", "--month", "2001-01"});
  ASSERT_EQ(earlier.exit_code, 0) << earlier.output;
  auto old = json::parse(earlier.output.substr(earlier.output.find('{')));
  EXPECT_EQ(old["monthMicroUsd"], 0) << "nothing was spent in January 2001";
  EXPECT_EQ(old["todayMicroUsd"], by_agent["galahad"] + by_agent["gawain"]);

  EXPECT_EQ(spend({"--month", "2026-13"}).exit_code, 2);
}

}  // namespace
}  // namespace rt::testing
