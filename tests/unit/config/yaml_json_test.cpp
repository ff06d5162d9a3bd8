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
