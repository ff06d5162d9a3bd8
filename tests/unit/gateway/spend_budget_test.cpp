// The daily money budget: limits.usd_per_day in knight.yaml, enforced by the rate limiter (here
// without Redis; tests/integration/gateway_spend.cpp runs it against a real redis-server).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/rate_limiter.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;

llm::Usage costing(int64_t micro_usd, int64_t tokens = 10) {
  llm::Usage usage;
  usage.input_tokens = tokens;
  usage.cost_micro_usd = micro_usd;
  return usage;
}

TEST(MoneyBudget, RefusesOnceTheDaysSpendReachesTheBudget) {
  RateLimiter limiter(nullptr, "fleet-a", "unit", 0, 0, Logger(), 50'000);  // $0.05
  EXPECT_TRUE(limiter.admit().allowed);
  limiter.record("claude-sonnet-4-5", costing(30'000));
  EXPECT_TRUE(limiter.admit().allowed) << "$0.03 of $0.05";
  limiter.record("claude-sonnet-4-5", costing(20'000));
  auto refused = limiter.admit();
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("$0.05"), std::string::npos) << refused.reason;
  EXPECT_NE(refused.reason.find("usd_per_day"), std::string::npos) << refused.reason;
  EXPECT_GE(refused.retry_after_seconds, 1);
  EXPECT_LE(refused.retry_after_seconds, 86'401) << "until midnight UTC";
}

TEST(MoneyBudget, ReportsTheShareUsedOfEachBudgetThatIsSet) {
  RateLimiter none(nullptr, "fleet-a", "unit", 0, 0, Logger());
  EXPECT_TRUE(none.budget_use().empty()) << "no budget, no gauge";
  RateLimiter both(nullptr, "fleet-a", "unit", 0, 1000, Logger(), 200);
  both.record("m", costing(50, 250));
  auto use = both.budget_use();
  ASSERT_EQ(use.size(), 2u);
  EXPECT_EQ(use[0].kind, "tokens");
  EXPECT_DOUBLE_EQ(use[0].ratio, 0.25);
  EXPECT_EQ(use[1].kind, "usd");
  EXPECT_DOUBLE_EQ(use[1].ratio, 0.25);
}

TEST(MoneyBudget, FreeCallsNeverSpendIt) {
  RateLimiter limiter(nullptr, "fleet-a", "unit", 0, 0, Logger(), 1);
  for (int i = 0; i < 10; ++i) limiter.record("offline", costing(0, 1000));
  EXPECT_TRUE(limiter.admit().allowed);
}

class UsdPerDaySetting : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-ws-spend");
    fs::copy(fs::path(RT_SOURCE_DIR) / "tests/fixtures/workspaces/basic", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void limit(const std::string& value) {
    std::ifstream in(dir_ / "knight.yaml");
    std::string yaml((std::istreambuf_iterator<char>(in)), {});
    yaml.replace(yaml.find("tokens_per_day: 0"), 17, "tokens_per_day: 0\n  usd_per_day: " + value);
    std::ofstream(dir_ / "knight.yaml", std::ios::trunc) << yaml;
  }
  fs::path dir_;
};

TEST_F(UsdPerDaySetting, IsReadFromKnightYamlAndAbsentMeansUnlimited) {
  EXPECT_EQ(load_workspace(dir_).knight.usd_per_day, 0);
  limit("2.50");
  EXPECT_DOUBLE_EQ(load_workspace(dir_).knight.usd_per_day, 2.5);
}

TEST_F(UsdPerDaySetting, ANegativeOrNonNumericBudgetNamesTheSettingAndLine) {
  for (const char* bad : {"-1", "lots", ".nan"}) {
    limit(bad);
    try {
      load_workspace(dir_);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const config::ConfigError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find("usd_per_day"), std::string::npos) << message;
      EXPECT_NE(message.find("knight.yaml:"), std::string::npos) << message;
    }
    TearDown();
    SetUp();
  }
}

}  // namespace
}  // namespace rt::gateway
