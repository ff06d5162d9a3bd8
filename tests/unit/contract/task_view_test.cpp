// parse_task_envelope must judge every message exactly as parse_envelope does: same verdict, same
// error message, same envelope fields; only the payload members no bridge reads are left out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/task_view.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

const std::string kId = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09";
const std::string kHead = R"({"id":")" + kId + R"(","version":"1.0","type":"task.request","from":"tim","timestamp":"2026-02-08T15:00:00Z")";

std::string with_payload(const std::string& payload, const std::string& extra = "") { return kHead + extra + R"(,"payload":)" + payload + "}"; }

// What the lean parse is meant to keep of a payload.
json lean_payload(const json& payload, bool keep_params) {
  json out = json::object();
  for (const auto& [key, value] : payload.items()) {
    if (key == "task" || key == "responseFormat" || key == "maxTokens" || key == "conversation") out[key] = value;
    if (key != "params") continue;
    if (keep_params || !value.is_structured()) out[key] = value;
    else out[key] = value.is_object() ? json::object() : json::array();
  }
  return out;
}

void expect_same_verdict(const std::string& bytes, size_t max_bytes = kMaxTaskBytes) {
  SCOPED_TRACE(bytes.substr(0, 200));
  auto full = parse_envelope(bytes, max_bytes);
  for (bool keep_params : {false, true}) {
    auto lean = parse_task_envelope(bytes, {.max_bytes = max_bytes, .keep_params = keep_params});
    ASSERT_EQ(static_cast<bool>(full), static_cast<bool>(lean));
    if (!full) {
      EXPECT_EQ(full.error().message, lean.error().message);
      continue;
    }
    json expected = envelope_to_json(*full);
    expected["payload"] = lean_payload(full->payload, keep_params);
    EXPECT_EQ(envelope_to_json(*lean), expected);
    auto full_request = parse_task_request(full->payload);
    auto lean_request = parse_task_request(lean->payload);
    ASSERT_EQ(static_cast<bool>(full_request), static_cast<bool>(lean_request));
    if (!full_request) EXPECT_EQ(full_request.error().message, lean_request.error().message);
    else if (keep_params) EXPECT_EQ(to_json(*full_request), to_json(*lean_request));
    else EXPECT_EQ(full_request->task, lean_request->task);
  }
}

TEST(TaskEnvelope, JudgesLikeParseEnvelope) {
  std::vector<std::string> cases = {
      with_payload(R"({"task":"security.briefing"})"),
      with_payload(R"({"task":"security.briefing","params":{"input":"x","n":[1,2,{"a":null}]},"responseFormat":"json","maxTokens":5})"),
      with_payload(R"({"task":"security.briefing","params":null})"),
      with_payload(R"({"task":"security.briefing","params":[1,2]})"),
      with_payload(R"({"task":"security.briefing","params":"text"})"),
      with_payload(R"({"task":"security.briefing","params":{}, "params":7})"),
      with_payload(R"({"task":"security.briefing","params":7, "params":{"a":1}})"),
      with_payload(R"({"task":"security.briefing","maxTokens":-1})"),
      with_payload(R"({"task":"security.briefing","maxTokens":1.5})"),
      with_payload(R"({"task":"security.briefing","responseFormat":3})"),
      with_payload(R"({"task":"nodot"})"),
      with_payload(R"({"task":5})"),
      with_payload(R"({"params":{}})"),
      with_payload(R"({"task":"security.briefing","conversation":"thread-7","context":{"deep":[[[1]]]},"notes":"n"})"),
      with_payload(R"({"task":"security.briefing","task":"audit.scan"})"),
      with_payload(R"({"task":"security.briefing"})", R"(,"payload":{"task":"audit.first"})"),
      with_payload(R"([1,2,3])"),
      with_payload(R"("text")"),
      with_payload(R"({"task":"a.b"})", R"(,"payload":[{"task":"a.b"}])"),
      with_payload(R"({"task":"security.briefing"})", R"(,"priority":"high","ttl":60,"fleet":"fleet-a","parentTaskId":")" + kId + R"(","extra":{"k":[1]})"),
      with_payload(R"({"task":"security.briefing"})", R"(,"priority":"urgent")"),
      with_payload(R"({"task":"security.briefing"})", R"(,"ttl":-5)"),
      with_payload(R"({"task":"security.briefing"})", R"(,"fleet":"Fleet A")"),
      with_payload(R"({"task":"security.briefing","params":{"s":"\u00e9\ud83d\ude00\n\"q\""}})"),
      with_payload(R"({"task":"security.briefing","params":{"big":1e400}})"),
      with_payload(R"({"task":"security.briefing","params":{"bad":"\ud800"}})"),
      with_payload(R"({"task":"security.briefing","params":{"x":1}})") + "garbage",
      with_payload(R"({"task":"security.briefing","params":{"x":1,}})"),
      with_payload(R"({"task":"security.briefing","params":{"x":)" + std::string(200, '[') + std::string(200, ']') + "}}"),
      kHead + "}",
      R"({"id":"not-a-uuid","payload":{"task":"a.b","params":{"x":1}}})",
      "[]",
      "",
      "null",
      "\xEF\xBB\xBF" + with_payload(R"({"task":"security.briefing"})"),
      with_payload(std::string(R"({"task":"security.briefing","params":{"s":"bad utf8 )") + "\xC3\x28" + R"("}})"),
  };
  // Long strings are checked here, then passed over (dropped) or decoded here (kept): the check
  // must be the lexer's, the value the lexer's.
  const std::string pad(40, 'p');
  for (const std::string& text : std::vector<std::string>{"plain", "esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t", "\\u00e9 \\uD83D\\uDE00 \\u0000", "\\uD800", "\\uDC00 x",
                           "\\uD800\\u0041", "\\uZZZZ", "\\x", "\\", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xED\x9F\xBF \xF4\x8F\xBF\xBF",
                           "\xC0\x80", "\xC3", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                           "\xFF", "\x80", "tab\there", "\x7F del", std::string("nul\0", 4)}) {
    cases.push_back(with_payload(R"({"task":"security.briefing","params":{"s":")" + pad + text + pad + R"("},"other":[")" + text + pad + R"("]})"));
    cases.push_back(with_payload(R"({"task":"security.briefing","params":{")" + pad + text + R"(":1}})"));
    cases.push_back(with_payload(R"({"task":"security.briefing","params":[")" + pad + text + R"("]})"));
    cases.push_back(with_payload(R"({"task":"security.briefing","params":{"s":")" + pad + text));
    cases.push_back(with_payload(R"({"task":"security.briefing"})", R"(,"extra":")" + pad + text + pad + R"(",")" + pad + text + R"(":1)"));
  }
  for (const auto& bytes : cases) expect_same_verdict(bytes);
  expect_same_verdict(with_payload(R"({"task":"security.briefing","params":{"s":")" + std::string(5000, 'x') + "\"}}"), 1000);
}

TEST(TaskEnvelope, KeepsOnlyWhatTheBridgeReadsOfThePayload) {
  std::string bytes = with_payload(R"({"task":"security.briefing","params":{"input":")" + std::string(100000, 'x') +
                                   R"("},"conversation":"c-1","attachments":[")" + std::string(1000, 'y') + R"("]})");
  auto lean = parse_task_envelope(bytes);
  ASSERT_TRUE(lean) << lean.error().message;
  EXPECT_EQ(lean->payload, json({{"task", "security.briefing"}, {"params", json::object()}, {"conversation", "c-1"}}));
  auto with_params = parse_task_envelope(bytes, {.keep_params = true});
  ASSERT_TRUE(with_params);
  EXPECT_EQ(with_params->payload["params"]["input"].get<std::string>().size(), 100000u);
  EXPECT_FALSE(with_params->payload.contains("attachments"));
}

}  // namespace
}  // namespace rt::contract
