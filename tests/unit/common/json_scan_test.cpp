// scan_ordinary_json: the fast path of parse_json_bounded and parse_task_envelope. What it reads it
// reads as nlohmann's parser would; what it declines, nlohmann judges (TaskEnvelope.JudgesLikeParseEnvelope
// covers parse_task_envelope as a whole, through either path).
#include "roundtable/common/json_scan.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixtures/json_types.hpp"

namespace rt {
namespace {

using nlohmann::json;

constexpr size_t kDepth = 128;
constexpr std::string_view kRead[] = {"task", "responseFormat", "maxTokens", "conversation"};
constexpr std::string_view kReadWithParams[] = {"task", "responseFormat", "maxTokens", "conversation", "params"};
const ScanTrim kPayload{"payload", kRead, "params"};
const ScanTrim kPayloadWithParams{"payload", kReadWithParams, ""};

std::optional<json> scan(std::string_view text, const ScanTrim* trim = nullptr) { return scan_ordinary_json(text, kDepth, trim); }

TEST(OrdinaryJsonScan, ReadsOrdinaryJsonAsNlohmannDoes) {
  const std::vector<std::string> documents = {
      R"({"a":1,"b":-2,"c":0,"d":-0,"e":18446744073709551615,"f":-9223372036854775808})",
      R"( { "s" : "x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00" , "t":true,"f":false,"n":null } )",
      R"({"nested":[[],{},[{"k":[1,[2,[3]]]}]],"dup":1,"dup":2})",
      "[1,\"two\",null]",
      "\"text\"",
      "42",
      std::string(R"({"long":")") + std::string(300, 'x') + "\xc3\xa9" + R"("})",
  };
  for (const auto& text : documents) {
    auto lean = scan(text);
    ASSERT_TRUE(lean.has_value()) << text;
    const json full = json::parse(text);
    EXPECT_EQ(*lean, full) << text;
    EXPECT_EQ(lean->dump(), full.dump()) << text;
    EXPECT_TRUE(rt::testing::same_json_types(*lean, full)) << text;
  }
}

TEST(OrdinaryJsonScan, TrimsOneTopLevelObjectToTheMembersNamed) {
  const std::string text =
      R"({"id":"x","payload":{"task":"a.b","params":{"big":[1,2,3]},"responseFormat":"json","maxTokens":5,)"
      R"("conversation":"c","context":{"deep":"dropped"},"notes":"dropped"},"extra":{"kept":true}})";
  EXPECT_EQ(*scan(text, &kPayload),
            json::parse(R"({"id":"x","payload":{"task":"a.b","params":{},"responseFormat":"json","maxTokens":5,)"
                        R"("conversation":"c"},"extra":{"kept":true}})"));
  EXPECT_EQ(*scan(text, &kPayloadWithParams),
            json::parse(R"({"id":"x","payload":{"task":"a.b","params":{"big":[1,2,3]},"responseFormat":"json","maxTokens":5,)"
                        R"("conversation":"c"},"extra":{"kept":true}})"));
  // Only the top-level payload object is filtered; params keeps its type, a scalar its value.
  EXPECT_EQ(*scan(R"({"payload":{"params":[1,{"a":2}]},"inner":{"payload":{"x":1}}})", &kPayload),
            json::parse(R"({"payload":{"params":[]},"inner":{"payload":{"x":1}}})"));
  EXPECT_EQ(*scan(R"({"payload":{"params":"text","x":1}})", &kPayload), json::parse(R"({"payload":{"params":"text"}})"));
  EXPECT_EQ(*scan(R"({"payload":[{"x":1}]})", &kPayload), json::parse(R"({"payload":[{"x":1}]})"));
}

TEST(OrdinaryJsonScan, LeavesEverythingElseToNlohmann) {
  const std::vector<std::string> declined = {
      "",
      "   ",
      R"({"a":1.5})",
      R"({"a":1e3})",
      R"({"a":18446744073709551616})",
      R"({"a":-9223372036854775809})",
      R"({"a":01})",
      R"({"a":-})",
      R"({"a":"\ud800"})",
      std::string(R"({"a":")") + "\xc3\x28" + R"("})",
      R"({"a":"tab	inside"})",
      R"({"a":1,})",
      R"({"a":1} x)",
      R"({"a" 1})",
      R"({a:1})",
      R"([1,2)",
      "tru",
      "nul",
      "\xEF\xBB\xBF{}",
      std::string(kDepth + 1, '[') + std::string(kDepth + 1, ']'),
  };
  for (const auto& text : declined) EXPECT_FALSE(scan(text).has_value()) << text;
  EXPECT_TRUE(scan(std::string(kDepth, '[') + std::string(kDepth, ']')).has_value());
}

}  // namespace
}  // namespace rt
