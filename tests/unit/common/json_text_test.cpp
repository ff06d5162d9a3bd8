#include "roundtable/common/json_text.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace rt {
namespace {

using nlohmann::json;

std::string dumped(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::vector<std::string> awkward_strings() {
  std::vector<std::string> texts = {"", "plain", "quote \" and backslash \\", "tab\tnewline\ncr\rff\fbs\b", "caf\xc3\xa9 \xe2\x9c\x93",
                                    "bad \xff byte", "cut \xc3", "\x7f del", std::string("nul \0 inside", 12)};
  std::string every_control;
  for (int c = 0; c < 0x20; ++c) every_control += static_cast<char>(c);
  texts.push_back(every_control);
  return texts;
}

TEST(JsonText, StringsAreTheBytesNlohmannDumps) {
  for (const auto& text : awkward_strings()) {
    std::string out;
    append_json_string(out, text);
    EXPECT_EQ(out, dumped(json(text))) << text;
  }
}

TEST(JsonText, EscapedValidTextIsTheDumpWithoutItsQuotes) {
  for (const auto& text : {std::string("a \"b\" \\c\n\x01"), std::string("caf\xc3\xa9")}) {
    std::string out;
    append_json_escaped(out, text);
    std::string dump = dumped(json(text));
    EXPECT_EQ(out, dump.substr(1, dump.size() - 2));
  }
}

TEST(JsonText, ValuesAreTheBytesNlohmannDumps) {
  std::vector<json> values = {0, -1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<uint64_t>::max(), 2.5, true, false, nullptr, json::array({1, "x\xff"}),
                              json{{"b", 1}, {"a", {{"c", "\n"}}}}, "text\x02"};
  for (const auto& value : values) {
    std::string out = "prefix";
    append_json_value(out, value);
    EXPECT_EQ(out, "prefix" + dumped(value)) << dumped(value);
  }
}

TEST(JsonText, NestedValuesAreTheBytesNlohmannDumps) {
  json deep = "bottom";
  for (int i = 0; i < 300; ++i) deep = i % 2 ? json::array({deep, i}) : json{{"k", deep}};  // past the written depth
  std::vector<json> values = {json::object(),
                              json::array(),
                              json{{"z", nullptr}, {"a", json::array({1u, -2, 3.25, 1e300, false})}, {"m", json::object()}},
                              json{{"caf\xc3\xa9 \xf0\x9f\x9b\xa1", "\xe2\x80\xa8 sep"}, {"bad \xed\xa0\x80 key", "v"}},
                              json::array({json::array({json::array()}), "x", std::numeric_limits<uint64_t>::max()}),
                              deep};
  for (const auto& value : values) {
    std::string out;
    append_json_value(out, value);
    EXPECT_EQ(out, dumped(value));
  }
}

TEST(JsonText, EscapesFoundAtEveryOffsetOfALongString) {
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f'})
    for (size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text[at] = special;
      text += "\xc3\xa9 tail";
      std::string out;
      append_json_string(out, text);
      EXPECT_EQ(out, dumped(json(text))) << at;
    }
}

TEST(JsonText, Utf8ValidityIsRfc3629s) {
  for (const char* valid : {"", "ascii only, longer than eight", "\xc2\x80", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"})
    EXPECT_TRUE(is_valid_utf8(valid)) << valid;
  for (const char* invalid : {"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
                              "\xf5\x80\x80\x80", "\xff", "cut \xe2\x9c", "twelve bytes \xc3"})
    EXPECT_FALSE(is_valid_utf8(invalid)) << invalid;
}

TEST(JsonText, IntegersAreDecimal) {
  std::string out;
  append_json_integer(out, -42);
  append_json_integer(out, 7);
  EXPECT_EQ(out, "-427");
}

}  // namespace
}  // namespace rt
