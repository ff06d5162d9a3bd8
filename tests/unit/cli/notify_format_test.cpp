// --notify formats: which URL gets which body, and the limits each service sets.
#include <gtest/gtest.h>

#include "roundtable/cli/notify.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;

nats::TaskAnswer completed(const std::string& content) {
  nats::TaskAnswer a;
  a.task_id = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09";
  a.task = "lead.briefing";
  a.answered = a.completed = true;
  a.agent = "tim";
  a.envelope = {{"type", "task.result"}, {"payload", {{"status", "completed"}, {"result", {{"content", content}}}}}};
  return a;
}

size_t code_points(const std::string& text) {
  size_t n = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

TEST(NotifyFormat, AutoDetectsTheServiceByHostAndPath) {
  EXPECT_EQ(detect_notify_format("https://ntfy.sh/roundtable-briefing"), NotifyFormat::ntfy);
  EXPECT_EQ(detect_notify_format("https://ntfy.example.home/briefing"), NotifyFormat::ntfy);
  EXPECT_EQ(detect_notify_format("http://127.0.0.1:8080/ntfy/briefing"), NotifyFormat::ntfy);
  EXPECT_EQ(detect_notify_format("https://hooks.slack.com/services/T000/B000/XXXX"), NotifyFormat::slack);
  EXPECT_EQ(detect_notify_format("https://discord.com/api/webhooks/1/abc"), NotifyFormat::discord);
  EXPECT_EQ(detect_notify_format("https://discordapp.com/api/webhooks/1/abc"), NotifyFormat::discord);
  EXPECT_EQ(detect_notify_format("https://discord.com/channels/1"), NotifyFormat::json);
  EXPECT_EQ(detect_notify_format("https://notntfy.sh/x"), NotifyFormat::json);
  EXPECT_EQ(detect_notify_format("https://hooks.slack.com.evil.example/services/x"), NotifyFormat::json);
  EXPECT_EQ(detect_notify_format("https://example.com/hook"), NotifyFormat::json);
  EXPECT_EQ(parse_notify_format("discord"), NotifyFormat::discord);
  EXPECT_FALSE(parse_notify_format("auto").has_value());
}

TEST(NotifyFormat, TargetHidesUserInfoAndTheSecretPath) {
  EXPECT_EQ(notify_target("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com/…");
  EXPECT_EQ(notify_target("https://tim:s3cret@ntfy.example.home/briefing?x=1"), "https://***@ntfy.example.home/…");
  EXPECT_EQ(notify_target("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
}

TEST(NotifyFormat, NtfyIsPlainTextWithTitleTagsAndPriorityHeaders) {
  auto r = notify_request(NotifyFormat::ntfy, notify_message_for_ask(completed("## Morning\nall quiet"), std::chrono::seconds(60)));
  EXPECT_EQ(r.body, "## Morning\nall quiet");
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u);
  auto header = [&](const std::string& name) { return r.headers.count(name) ? r.headers.find(name)->second : ""; };
  EXPECT_EQ(header("Title"), "lead.briefing");
  EXPECT_EQ(header("Tags"), "white_check_mark");
  EXPECT_EQ(header("Priority"), "default");
}

TEST(NotifyFormat, AFailureIsSaidAndMarkedUrgentInNtfy) {
  nats::TaskAnswer a = completed("");
  a.completed = false;
  a.envelope = {{"type", "task.failed"}, {"payload", {{"error", "model_error"}, {"message", "LLM API down"}}}};
  auto m = notify_message_for_ask(a, std::chrono::seconds(60));
  EXPECT_FALSE(m.ok);
  EXPECT_EQ(m.title, "lead.briefing failed");
  EXPECT_NE(m.text.find("model_error"), std::string::npos) << m.text;
  auto r = notify_request(NotifyFormat::ntfy, m);
  EXPECT_EQ(r.headers.find("Priority")->second, "high");
  EXPECT_EQ(r.headers.find("Tags")->second, "warning");

  nats::TaskAnswer late;
  late.task = "lead.briefing";
  late.task_id = "id-1";
  auto timeout = notify_message_for_ask(late, std::chrono::minutes(10));
  EXPECT_EQ(timeout.title, "lead.briefing timed out");
  EXPECT_EQ(timeout.text, "no result within 10m for lead.briefing (task id-1)");
}

TEST(NotifyFormat, SlackGetsEscapedMrkdwnText) {
  auto r = notify_request(NotifyFormat::slack, notify_message_for_ask(completed("a < b & c > d"), std::chrono::seconds(60)));
  auto body = json::parse(r.body);
  EXPECT_EQ(body["text"], "*lead.briefing*\na &lt; b &amp; c &gt; d");
  EXPECT_EQ(body["mrkdwn"], true);
  EXPECT_EQ(r.content_type, "application/json");
}

TEST(NotifyFormat, DiscordContentIsCutToTwoThousandCharactersAndPingsNobody) {
  std::string long_answer;
  for (int i = 0; i < 3000; ++i) long_answer += "é";  // two bytes each: the cap counts characters
  auto r = notify_request(NotifyFormat::discord, notify_message_for_ask(completed(long_answer), std::chrono::seconds(60)));
  auto body = json::parse(r.body);
  std::string content = body["content"];
  EXPECT_EQ(code_points(content), kDiscordContentLimit);
  EXPECT_EQ(content.rfind("**lead.briefing**\n", 0), 0u);
  EXPECT_EQ(content.substr(content.size() - 3), "…");
  EXPECT_EQ(body["allowed_mentions"]["parse"], json::array());

  auto short_one = json::parse(notify_request(NotifyFormat::discord, notify_message_for_ask(completed("hi"), std::chrono::seconds(1))).body);
  EXPECT_EQ(short_one["content"], "**lead.briefing**\nhi");
}

TEST(NotifyFormat, CutCodePointsNeverSplitsACharacter) {
  EXPECT_EQ(cut_code_points("abc", 3), "abc");
  EXPECT_EQ(cut_code_points("abcd", 3), "ab…");
  EXPECT_EQ(cut_code_points("ééé", 3), "ééé");
  EXPECT_EQ(cut_code_points("éééé", 3), "éé…");
}

TEST(NotifyFormat, NtfyBodyStaysWithinItsMessageLimit) {
  auto r = notify_request(NotifyFormat::ntfy, notify_message_for_ask(completed(std::string(10000, 'x')), std::chrono::seconds(60)));
  EXPECT_LE(r.body.size(), kNtfyMessageLimit);
  EXPECT_EQ(r.body.substr(r.body.size() - 3), "...");
}

TEST(NotifyFormat, JsonCarriesTheAnswerObjectOfAskJson) {
  auto r = notify_request(NotifyFormat::json, notify_message_for_ask(completed("fine"), std::chrono::seconds(60)));
  auto body = json::parse(r.body);
  EXPECT_EQ(body["ok"], true);
  EXPECT_EQ(body["title"], "lead.briefing");
  EXPECT_EQ(body["result"]["taskId"], "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09");
  EXPECT_EQ(body["result"]["content"], "fine");
  EXPECT_EQ(body["result"]["status"], "completed");
}

TEST(NotifyFormat, FanoutMessageListsEveryOutcome) {
  auto ok = completed("green");
  nats::TaskAnswer late;
  late.task = "intel.lookup";
  late.task_id = "id-2";
  auto m = notify_message_for_fanout({ok, late}, std::chrono::seconds(30));
  EXPECT_FALSE(m.ok);
  EXPECT_EQ(m.title, "fanout: 1/2 completed");
  EXPECT_NE(m.text.find("lead.briefing (completed)\ngreen"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("intel.lookup (timeout)\nno result within 30s"), std::string::npos) << m.text;
  EXPECT_EQ(m.task_ids.size(), 2u);
  EXPECT_EQ(m.document["ok"], false);
}

TEST(NotifyFormat, RetryableStatusesAndExitCode) {
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(notify_status_retryable(status)) << status;
  for (int status : {400, 401, 403, 404, 410, 413}) EXPECT_FALSE(notify_status_retryable(status)) << status;
  EXPECT_EQ(exit_with_notify(0, true), 0);
  EXPECT_EQ(exit_with_notify(0, false), kExitNotifyFailed);
  EXPECT_EQ(exit_with_notify(1, false), 1);
}

TEST(NotifyFormat, NotifiedPayloadNamesTaskTargetAndOutcome) {
  Delivery d{"https://ntfy.sh/…", NotifyFormat::ntfy, false, 5, 500, "HTTP 500 (gave up after 5 attempts)"};
  auto p = notified_payload(d, "id-1");
  EXPECT_EQ(p, json::parse(R"x({"taskId":"id-1","target":"https://ntfy.sh/…","format":"ntfy","status":"failed","attempts":5,
                              "httpStatus":500,"error":"HTTP 500 (gave up after 5 attempts)"})x"));
}

}  // namespace
}  // namespace rt::cli
