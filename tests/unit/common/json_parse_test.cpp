#include <gtest/gtest.h>

#include <string>

#include "roundtable/common/json_parse.hpp"

namespace {

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonParseBounded, ParsesOrdinaryJson) {
  auto doc = rt::parse_json_bounded(R"({"a":[1,{"b":"c"}],"d":null})");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["a"][1]["b"], "c");
}

TEST(JsonParseBounded, AcceptsNestingAtTheLimit) {
  auto doc = rt::parse_json_bounded(nested_arrays(rt::kJsonMaxDepth));
  EXPECT_TRUE(doc.ok()) << doc.error().message;
}

TEST(JsonParseBounded, RefusesNestingBeyondTheLimitAsInvalidParams) {
  auto doc = rt::parse_json_bounded(nested_arrays(rt::kJsonMaxDepth + 1));
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, rt::ErrorCode::invalid_params);
  EXPECT_NE(doc.error().message.find("nested"), std::string::npos);
}

TEST(JsonParseBounded, RefusesTwoHundredThousandLevelsWithoutCrashing) {
  std::string deep = R"({"payload":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto doc = rt::parse_json_bounded(deep);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, rt::ErrorCode::invalid_params);
  // Unbalanced (truncated) deep input is refused the same way.
  EXPECT_FALSE(rt::parse_json_bounded(std::string(100000, '{')).ok());
}

TEST(JsonParseBounded, BracketsInsideStringsDoNotCount) {
  std::string text = R"({"s":")" + std::string(1000, '[') + R"(\"[[[[", "t":"\\"})";
  auto doc = rt::parse_json_bounded(text, {.max_depth = 1});
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["t"], "\\");
}

TEST(JsonParseBounded, AnEscapedQuoteDoesNotEndTheString) {
  // If \" ended the string, the brackets after it would count and exceed depth 1.
  auto doc = rt::parse_json_bounded(R"(["a\"[[[[["])", {.max_depth = 1});
  EXPECT_TRUE(doc.ok()) << doc.error().message;
}

TEST(JsonParseBounded, RefusesOversizedInput) {
  auto doc = rt::parse_json_bounded(R"("0123456789")", {.max_bytes = 8});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, rt::ErrorCode::invalid_params);
}

TEST(JsonParseBounded, RefusesInvalidJsonWithoutThrowing) {
  const std::string_view inputs[] = {std::string_view(""), std::string_view("{"), "{\"a\":}", "[1,2", "nul", "\"\xff\xfe\"", std::string_view("{\"a\":\"\0\"}", 10)};
  for (std::string_view bad : inputs) {
    auto doc = rt::parse_json_bounded(bad);
    ASSERT_FALSE(doc.ok()) << bad;
    EXPECT_EQ(doc.error().code, rt::ErrorCode::invalid_params);
  }
}

TEST(JsonParseBounded, OrderedVariantKeepsKeyOrder) {
  auto doc = rt::parse_ordered_json_bounded(R"({"z":1,"a":2})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->begin().key(), "z");
  EXPECT_FALSE(rt::parse_ordered_json_bounded(nested_arrays(500)).ok());
}

}  // namespace
