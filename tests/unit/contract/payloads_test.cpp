// docs/contract.md §4 payloads: task.request, task.result, task.failed, progress, heartbeat.
#include "roundtable/contract/payloads.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace rt::contract {
namespace {

using nlohmann::json;

void expect_invalid_request(const json& payload, const std::string& fragment) {
  auto parsed = parse_task_request(payload);
  ASSERT_FALSE(parsed.ok()) << payload.dump();
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_params);
  EXPECT_NE(parsed.error().message.find(fragment), std::string::npos) << parsed.error().message;
}

TEST(TaskRequest, Valid) {
  auto parsed = parse_task_request(
      json{{"task", "security.briefing"}, {"params", {{"scope", "all"}}}, {"responseFormat", "json"}, {"maxTokens", 4000}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->task, "security.briefing");
  EXPECT_EQ(parsed->params, json({{"scope", "all"}}));
  EXPECT_EQ(parsed->response_format, "json");
  EXPECT_EQ(parsed->max_tokens, std::optional<int64_t>(4000));
  EXPECT_EQ(to_json(*parsed),
            json({{"task", "security.briefing"}, {"params", {{"scope", "all"}}}, {"responseFormat", "json"}, {"maxTokens", 4000}}));
}

TEST(TaskRequest, Defaults) {
  auto parsed = parse_task_request(json{{"task", "home.lights"}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->params, json::object());
  EXPECT_EQ(parsed->response_format, "markdown");
  EXPECT_FALSE(parsed->max_tokens.has_value());
  EXPECT_FALSE(to_json(*parsed).contains("maxTokens"));
  // Nulls count as absent.
  auto nulls = parse_task_request(json{{"task", "home.lights"}, {"params", nullptr}, {"responseFormat", nullptr}, {"maxTokens", nullptr}});
  ASSERT_TRUE(nulls.ok()) << nulls.error().message;
  EXPECT_EQ(nulls->response_format, "markdown");
}

TEST(TaskRequest, Invalid) {
  expect_invalid_request(json::array(), "payload must be an object");
  expect_invalid_request(json::object(), "missing required field 'task'");
  expect_invalid_request(json{{"task", 5}}, "'task' must be a string");
  expect_invalid_request(json{{"task", "briefing"}}, "must be '<domain>.<action>', got 'briefing'");
  expect_invalid_request(json{{"task", "security.briefing.extra"}}, "must be '<domain>.<action>'");
  expect_invalid_request(json{{"task", "Security.briefing"}}, "must be '<domain>.<action>'");
  expect_invalid_request(json{{"task", "security.*"}}, "must be '<domain>.<action>'");
  expect_invalid_request(json{{"task", "a.b"}, {"params", "x"}}, "'params' must be an object");
  expect_invalid_request(json{{"task", "a.b"}, {"params", json::array()}}, "'params' must be an object");
  expect_invalid_request(json{{"task", "a.b"}, {"responseFormat", 3}}, "'responseFormat' must be a string");
  expect_invalid_request(json{{"task", "a.b"}, {"maxTokens", 0}}, "'maxTokens' must be a positive integer");
  expect_invalid_request(json{{"task", "a.b"}, {"maxTokens", -5}}, "'maxTokens' must be a positive integer");
  expect_invalid_request(json{{"task", "a.b"}, {"maxTokens", 1.5}}, "'maxTokens' must be a positive integer");
  expect_invalid_request(json{{"task", "a.b"}, {"maxTokens", "100"}}, "'maxTokens' must be a positive integer");
}

const json kResultInner{{"format", "markdown"},
                        {"content", "# Briefing"},
                        {"metadata",
                         {{"model", "claude-x"},
                          {"inputTokens", 10},
                          {"outputTokens", 20},
                          {"cacheReadTokens", 5},
                          {"durationMs", 1234},
                          {"attempt", 2},
                          {"skill", "security-scan"},
                          {"tools", json::array({"web"})}}}};

void expect_full_result(const TaskResult& r) {
  EXPECT_EQ(r.format, "markdown");
  EXPECT_EQ(r.content, "# Briefing");
  EXPECT_EQ(r.metadata.model, "claude-x");
  EXPECT_EQ(r.metadata.input_tokens, 10);
  EXPECT_EQ(r.metadata.output_tokens, 20);
  EXPECT_EQ(r.metadata.cache_read_tokens, 5);
  EXPECT_EQ(r.metadata.duration_ms, 1234);
  EXPECT_EQ(r.metadata.attempt, 2);
  EXPECT_EQ(r.metadata.extra, json({{"skill", "security-scan"}, {"tools", json::array({"web"})}}));
}

TEST(TaskResult, WrappedShape) {
  auto parsed = parse_task_result(json{{"status", "completed"}, {"result", kResultInner}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  expect_full_result(*parsed);
}

TEST(TaskResult, InnerShape) {
  auto parsed = parse_task_result(kResultInner);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  expect_full_result(*parsed);
}

TEST(TaskResult, RoundTripKeepsExtraMetadata) {
  auto parsed = parse_task_result(kResultInner);
  ASSERT_TRUE(parsed.ok());
  json out = to_json(*parsed);
  EXPECT_EQ(out["status"], "completed");
  EXPECT_EQ(out["result"], kResultInner);
  auto again = parse_task_result(out);
  ASSERT_TRUE(again.ok());
  expect_full_result(*again);
}

TEST(TaskResult, DefaultsAndNonStringContent) {
  auto parsed = parse_task_result(json{{"content", "hi"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->format, "markdown");
  EXPECT_EQ(parsed->metadata.attempt, 1);
  EXPECT_EQ(parsed->metadata.input_tokens, 0);
  EXPECT_TRUE(parsed->metadata.extra.empty());
  auto structured = parse_task_result(json{{"format", "json"}, {"content", {{"a", 1}}}});
  ASSERT_TRUE(structured.ok());
  EXPECT_EQ(json::parse(structured->content), json({{"a", 1}}));
}

TEST(TaskResult, Invalid) {
  EXPECT_FALSE(parse_task_result(json::array()).ok());
  EXPECT_FALSE(parse_task_result(json{{"status", "completed"}, {"result", "text"}}).ok());
  auto missing = parse_task_result(json{{"status", "completed"}, {"result", json::object()}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_params);
  EXPECT_NE(missing.error().message.find("content"), std::string::npos);
}

TEST(TaskFailure, KnownCodes) {
  auto parsed = parse_task_failure(json{{"status", "failed"},
                                        {"error", "rate_limited"},
                                        {"message", "slow down"},
                                        {"retryable", true},
                                        {"retryAfterSeconds", 60},
                                        {"attempt", 3}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->error, ErrorCode::rate_limited);
  EXPECT_EQ(parsed->message, "slow down");
  EXPECT_TRUE(parsed->retryable);
  EXPECT_EQ(parsed->retry_after_seconds, std::optional<int64_t>(60));
  EXPECT_EQ(parsed->attempt, 3);
  EXPECT_EQ(to_json(*parsed), json({{"error", "rate_limited"},
                                    {"message", "slow down"},
                                    {"retryable", true},
                                    {"retryAfterSeconds", 60},
                                    {"attempt", 3}}));
}

TEST(TaskFailure, RetryableDefaultsFromTheCode) {
  auto skill = parse_task_failure(json{{"error", "skill_missing"}});
  ASSERT_TRUE(skill.ok());
  EXPECT_FALSE(skill->retryable);
  EXPECT_EQ(skill->attempt, 1);
  EXPECT_FALSE(skill->retry_after_seconds.has_value());
  auto timeout = parse_task_failure(json{{"error", "timeout"}});
  ASSERT_TRUE(timeout.ok());
  EXPECT_TRUE(timeout->retryable);
  auto overridden = parse_task_failure(json{{"error", "timeout"}, {"retryable", false}});
  ASSERT_TRUE(overridden.ok());
  EXPECT_FALSE(overridden->retryable);
}

TEST(TaskFailure, UnknownCodeBecomesInternalError) {
  auto parsed = parse_task_failure(json{{"error", "cosmic_rays"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->error, ErrorCode::internal_error);
  EXPECT_NE(parsed->message.find("unknown error code 'cosmic_rays'"), std::string::npos) << parsed->message;
  EXPECT_TRUE(parsed->retryable);
  auto with_message = parse_task_failure(json{{"error", "cosmic_rays"}, {"message", "bit flip"}});
  ASSERT_TRUE(with_message.ok());
  EXPECT_EQ(with_message->message, "bit flip");
}

TEST(TaskFailure, Invalid) {
  EXPECT_FALSE(parse_task_failure(json::array()).ok());
  EXPECT_FALSE(parse_task_failure(json::object()).ok());
  EXPECT_FALSE(parse_task_failure(json{{"error", 5}}).ok());
  auto negative = parse_task_failure(json{{"error", "timeout"}, {"retryAfterSeconds", -3}});
  ASSERT_TRUE(negative.ok());
  EXPECT_FALSE(negative->retry_after_seconds.has_value());
}

TEST(TaskFailure, MakeFailureUsesWireCodes) {
  TaskFailure f = make_failure(ErrorCode::unavailable, "gateway down", 2);
  EXPECT_EQ(f.error, ErrorCode::gateway_unavailable);
  EXPECT_TRUE(f.retryable);
  EXPECT_EQ(f.attempt, 2);
  EXPECT_EQ(to_json(f)["error"], "gateway_unavailable");
  TaskFailure bad = make_failure(ErrorCode::invalid_params, "no");
  EXPECT_FALSE(bad.retryable);
  EXPECT_EQ(bad.attempt, 1);
}

TEST(Progress, ClampsPercentAndReadsSubTasks) {
  EXPECT_EQ(parse_progress(json{{"percent", 150}}).percent, std::optional<int>(100));
  EXPECT_EQ(parse_progress(json{{"percent", -20}}).percent, std::optional<int>(0));
  EXPECT_EQ(parse_progress(json{{"percent", 60}}).percent, std::optional<int>(60));
  EXPECT_EQ(parse_progress(json{{"percent", 33.7}}).percent, std::optional<int>(33));
  EXPECT_FALSE(parse_progress(json{{"percent", "60"}}).percent.has_value());
  EXPECT_FALSE(parse_progress(json::array()).percent.has_value());

  Progress p = parse_progress(json{{"percent", 60},
                                   {"message", "half way"},
                                   {"subTasks", json::array({json{{"id", "sub-1"}, {"status", "completed"}, {"description", "scan"}},
                                                             json("junk"), json{{"id", "sub-2"}}})}});
  EXPECT_EQ(p.message, "half way");
  ASSERT_EQ(p.sub_tasks.size(), 2u);
  EXPECT_EQ(p.sub_tasks[0].id, "sub-1");
  EXPECT_EQ(p.sub_tasks[0].status, "completed");
  EXPECT_EQ(p.sub_tasks[0].description, "scan");
  EXPECT_EQ(p.sub_tasks[1].id, "sub-2");
  json out = to_json(p);
  EXPECT_EQ(out["percent"], 60);
  EXPECT_EQ(out["subTasks"].size(), 2u);
  EXPECT_EQ(parse_progress(out).sub_tasks.size(), 2u);
  EXPECT_FALSE(to_json(Progress{}).contains("percent"));
  EXPECT_FALSE(to_json(Progress{}).contains("subTasks"));
}

TEST(Heartbeat, RoundTrip) {
  Heartbeat hb;
  hb.status = "degraded";
  hb.uptime_seconds = 86400;
  hb.capabilities = {"security.briefing", "security.scan"};
  hb.active_task_count = 1;
  hb.model = "claude-x";
  hb.version = "1.2.3";
  hb.gateway = "down";
  hb.consumers = {{"fleet-a-galahad-security", 3, 1, 2}};
  json out = to_json(hb);
  EXPECT_EQ(out["status"], "degraded");
  EXPECT_EQ(out["uptime"], 86400);
  EXPECT_EQ(out["activeTaskCount"], 1);
  EXPECT_EQ(out["consumers"][0]["ackPending"], 1);
  auto parsed = parse_heartbeat(out);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->status, hb.status);
  EXPECT_EQ(parsed->uptime_seconds, hb.uptime_seconds);
  EXPECT_EQ(parsed->capabilities, hb.capabilities);
  EXPECT_EQ(parsed->active_task_count, hb.active_task_count);
  EXPECT_EQ(parsed->model, hb.model);
  EXPECT_EQ(parsed->version, hb.version);
  EXPECT_EQ(parsed->gateway, hb.gateway);
  ASSERT_EQ(parsed->consumers.size(), 1u);
  EXPECT_EQ(parsed->consumers[0].name, "fleet-a-galahad-security");
  EXPECT_EQ(parsed->consumers[0].pending, 3u);
  EXPECT_EQ(parsed->consumers[0].ack_pending, 1u);
  EXPECT_EQ(parsed->consumers[0].redelivered, 2u);
  EXPECT_EQ(to_json(*parsed), out);
}

TEST(Heartbeat, Invalid) {
  EXPECT_FALSE(parse_heartbeat(json::array()).ok());
  auto empty = parse_heartbeat(json::object());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, "unhealthy") << "a heartbeat that says nothing is not a healthy one";
}

}  // namespace
}  // namespace rt::contract
