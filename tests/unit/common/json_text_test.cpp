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

TEST(JsonText, IntegersAreDecimal) {
  std::string out;
  append_json_integer(out, -42);
  append_json_integer(out, 7);
  EXPECT_EQ(out, "-427");
}

}  // namespace
}  // namespace rt
