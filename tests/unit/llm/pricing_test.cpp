#include "roundtable/llm/pricing.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "roundtable/config/settings.hpp"

namespace rt::llm {
namespace {

Usage usage(int64_t input, int64_t output, int64_t cache_read = 0, int64_t cache_write = 0) {
  Usage u;
  u.input_tokens = input;
  u.output_tokens = output;
  u.cache_read_tokens = cache_read;
  u.cache_write_tokens = cache_write;
  return u;
}

class PriceFile {
 public:
  explicit PriceFile(const std::string& text, const std::string& ext = ".yaml")
      : path_(std::filesystem::temp_directory_path() / ("rt-prices-" + std::to_string(::getpid()) + "-" + std::to_string(++count_) + ext)) {
    std::ofstream(path_) << text;
  }
  ~PriceFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

TEST(PriceTable, ShipsTheKnightsModelsWithTheirListPricesAndADate) {
  auto table = PriceTable::builtin();
  auto sonnet = table.find("claude-sonnet-4-5");
  ASSERT_TRUE(sonnet);
  EXPECT_DOUBLE_EQ(sonnet->input, 3);
  EXPECT_DOUBLE_EQ(sonnet->output, 15);
  EXPECT_DOUBLE_EQ(sonnet->cache_read, 0.30);
  EXPECT_DOUBLE_EQ(sonnet->cache_write, 3.75);
  auto haiku = table.find("claude-haiku-4-5");
  ASSERT_TRUE(haiku);
  EXPECT_DOUBLE_EQ(haiku->input, 1);
  EXPECT_DOUBLE_EQ(haiku->output, 5);
  EXPECT_TRUE(table.find("gpt-4o-mini"));
  EXPECT_EQ(table.as_of.size(), 10u) << "the date the prices were read, YYYY-MM-DD";
}

TEST(PriceTable, ADatedModelNameFindsItsFamily) {
  auto table = PriceTable::builtin();
  auto dated = table.find("claude-sonnet-4-5-20250929");
  ASSERT_TRUE(dated);
  EXPECT_DOUBLE_EQ(dated->output, 15);
  auto openai = table.find("gpt-4o-mini-2024-07-18");
  ASSERT_TRUE(openai);
  EXPECT_DOUBLE_EQ(openai->input, 0.15);
  EXPECT_TRUE(table.find("claude-3-5-haiku-latest"));
  // Only a date or -latest is stripped: another model of a family is not priced as the family.
  EXPECT_FALSE(table.find("claude-sonnet-4-5-experimental"));
  EXPECT_FALSE(table.find("gpt-4o-audio-preview"));
  EXPECT_FALSE(table.find("claude-sonnet-4-5-2025092"));
}

TEST(PriceTable, CostAddsEveryKindOfToken) {
  auto table = PriceTable::builtin();
  // 1000 × $3 + 500 × $15 + 2000 × $0.30 + 100 × $3.75 per million = 3000 + 7500 + 600 + 375 µ$
  auto cost = table.cost("claude-sonnet-4-5-20250929", usage(1000, 500, 2000, 100));
  EXPECT_TRUE(cost.known);
  EXPECT_EQ(cost.micro_usd, 11475);
  EXPECT_DOUBLE_EQ(cost.usd(), 0.011475);
}

TEST(PriceTable, AnUnknownModelIsFreeAndSaysSo) {
  auto cost = PriceTable::builtin().cost("llama-3-70b", usage(1000, 1000));
  EXPECT_FALSE(cost.known);
  EXPECT_EQ(cost.micro_usd, 0);
  auto offline = PriceTable::builtin().cost("offline", usage(1000, 1000));
  EXPECT_TRUE(offline.known);
  EXPECT_EQ(offline.micro_usd, 0);
}

TEST(PriceTable, RoundsToTheNearestMicroDollar) {
  Price price{0.3, 0, 0, 0};
  EXPECT_EQ(micro_usd(price, usage(1, 0)), 0);   // 0.3 µ$
  EXPECT_EQ(micro_usd(price, usage(2, 0)), 1);   // 0.6 µ$
  EXPECT_EQ(micro_usd(price, usage(5, 0)), 2);   // 1.5 µ$ rounds up
  EXPECT_EQ(micro_usd(price, usage(10, 0)), 3);
  EXPECT_EQ(micro_usd(price, usage(-10, 0)), 0) << "a negative count from a provider costs nothing";
}

TEST(PriceTable, AYamlFileOverridesAndAddsModels) {
  PriceFile file(R"(as_of: "2027-01-15"
models:
  claude-sonnet-4-5: {input: 2, output: 10}
  my-local-llama:
    input: 0.01
    output: 0.02
    cache_read: 0
    cache_write: 0
)");
  auto table = load_price_table(file.path());
  auto sonnet = table.find("claude-sonnet-4-5-20250929");
  ASSERT_TRUE(sonnet);
  EXPECT_DOUBLE_EQ(sonnet->input, 2);
  EXPECT_DOUBLE_EQ(sonnet->output, 10);
  EXPECT_DOUBLE_EQ(sonnet->cache_read, 2) << "no cache price given: cached input costs what input does";
  EXPECT_EQ(table.cost("my-local-llama", usage(1'000'000, 1'000'000)).micro_usd, 30'000);
  EXPECT_TRUE(table.find("claude-haiku-4-5")) << "the shipped entries stay";
  EXPECT_EQ(table.as_of, "2027-01-15");
}

TEST(PriceTable, AJsonFileWithoutTheModelsKeyWorksToo) {
  PriceFile file(R"({"gpt-4o": {"input": 5, "output": 20, "cache_read": 2.5}})", ".json");
  auto table = load_price_table(file.path());
  EXPECT_EQ(table.cost("gpt-4o", usage(1000, 1000, 1000)).micro_usd, 5000 + 20000 + 2500 + 0);
}

TEST(PriceTable, ABadFileNamesThePriceTableSettingAndTheEntry) {
  PriceFile negative("models:\n  gpt-4o: {input: -1, output: 2}\n");
  try {
    load_price_table(negative.path());
    FAIL() << "a negative price was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.setting(), "PRICE_TABLE");
    EXPECT_NE(std::string(e.what()).find("gpt-4o"), std::string::npos) << e.what();
  }
  PriceFile typo("models:\n  gpt-4o: {inptu: 1}\n");
  EXPECT_THROW(load_price_table(typo.path()), config::ConfigError);
  PriceFile broken("models: [\n");
  EXPECT_THROW(load_price_table(broken.path()), config::ConfigError);
  EXPECT_THROW(load_price_table("/nonexistent/prices.yaml"), config::ConfigError);
}

}  // namespace
}  // namespace rt::llm
