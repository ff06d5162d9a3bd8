// YAML -> JSON for skill input schemas, delegate params and task files: typed scalars, and a
// ConfigError (not a stack overflow) for an alias that contains itself or very deep nesting.
#include "roundtable/config/yaml_json.hpp"

#include <string>

#include <gtest/gtest.h>

#include "roundtable/config/settings.hpp"

namespace rt::config {
namespace {

TEST(YamlJson, ScalarsAreTypedAsYamlWouldAndQuotedStaysText) {
  auto doc = yaml_to_json(YAML::Load("a: 1\nb: 2.5\nc: true\nd: ~\ne: \"7\"\nf: [x, {g: h}]"));
  EXPECT_EQ(doc["a"], 1);
  EXPECT_EQ(doc["b"], 2.5);
  EXPECT_EQ(doc["c"], true);
  EXPECT_TRUE(doc["d"].is_null());
  EXPECT_EQ(doc["e"], "7");
  EXPECT_EQ(doc["f"][1]["g"], "h");
}

// Words are words, numbers only when the whole scalar is one (read without throwing).
TEST(YamlJson, OnlyAWholeNumberBecomesANumber) {
  auto doc = yaml_to_json(YAML::Load("a: -12\nb: +3\nc: 1e3\nd: 12abc\ne: object\nf: 9223372036854775808\ng: nan\n"
                                     "h: inf\ni: ''\nj: ++1\nk: 0.5\nl: .5\nm: '-4'\nn: +-1"));
  EXPECT_EQ(doc["a"], -12);
  EXPECT_TRUE(doc["a"].is_number_integer());
  EXPECT_EQ(doc["b"], 3);
  EXPECT_EQ(doc["c"], 1000.0);
  EXPECT_EQ(doc["d"], "12abc");
  EXPECT_EQ(doc["e"], "object");
  EXPECT_EQ(doc["f"], "9223372036854775808") << "past 64 bits: text, not a float that loses digits";
  EXPECT_EQ(doc["g"], "nan");
  EXPECT_EQ(doc["h"], "inf");
  EXPECT_EQ(doc["i"], "");
  EXPECT_EQ(doc["j"], "++1");
  EXPECT_EQ(doc["k"], 0.5);
  EXPECT_EQ(doc["l"], 0.5);
  EXPECT_EQ(doc["m"], "-4");
  EXPECT_EQ(doc["n"], "+-1");
}

// Found by fuzz_skill_md: `properties: &a [*a]` in a SKILL.md crashed the gateway at start.
TEST(YamlJson, AnAliasThatContainsItselfIsAConfigError) {
  EXPECT_THROW(yaml_to_json(YAML::Load("input:\n  properties: &a [*a]\n")), ConfigError);
  EXPECT_THROW(yaml_to_json(YAML::Load("&m {self: *m}")), ConfigError);
}

TEST(YamlJson, NestingBeyondTheLimitIsAConfigErrorAndWithinItConverts) {
  auto nested = [](size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); };
  EXPECT_NO_THROW(yaml_to_json(YAML::Load(nested(kMaxYamlDepth))));
  EXPECT_THROW(yaml_to_json(YAML::Load(nested(kMaxYamlDepth + 1))), ConfigError);
}

}  // namespace
}  // namespace rt::config
