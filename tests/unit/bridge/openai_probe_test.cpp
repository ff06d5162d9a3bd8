#include "roundtable/bridge/openai_probe.hpp"

#include <gtest/gtest.h>


namespace rt::bridge {
namespace {

using nlohmann::json;

std::string models(std::initializer_list<const char*> ids) {
  json data = json::array();
  for (const char* id : ids) data.push_back({{"id", id}, {"object", "model"}});
  return json{{"object", "list"}, {"data", data}}.dump();
}

contract::Envelope task_from(const std::string& from, json payload) {
  contract::Envelope env;
  env.id = "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09";
  env.from = from;
  env.payload = std::move(payload);
  return env;
}

TEST(OpenAiProbe, OpenClawAgentIsReadFromEveryModelSpelling) {
  EXPECT_EQ(openclaw_agent("openclaw:main"), "main");
  EXPECT_EQ(openclaw_agent("openclaw/galahad"), "galahad");
  EXPECT_EQ(openclaw_agent("agent:beta"), "beta");
  EXPECT_EQ(openclaw_agent("gpt-4o"), std::nullopt);
  EXPECT_EQ(openclaw_agent("openclaw:"), std::nullopt);
}

TEST(OpenAiProbe, ListedAgentIsReadyAndProven) {
  auto verdict = judge_models_probe(200, models({"openclaw/main", "openclaw/galahad"}), "", "openclaw:galahad", true);
  EXPECT_TRUE(verdict.ready);
  EXPECT_TRUE(verdict.model_listed);
}

TEST(OpenAiProbe, MissingAgentIsNotReadyAndNamesWhatIsListed) {
  auto verdict = judge_models_probe(200, models({"openclaw/main"}), "", "openclaw:galahad", true);
  EXPECT_FALSE(verdict.ready);
  EXPECT_NE(verdict.reason.find("unknown agent/model openclaw:galahad"), std::string::npos);
  EXPECT_NE(verdict.reason.find("openclaw/main"), std::string::npos);
}

TEST(OpenAiProbe, RefusedTokenIsNotReady) {
  for (int status : {401, 403}) {
    auto verdict = judge_models_probe(status, "{}", "", "openclaw:main", true);
    EXPECT_FALSE(verdict.ready);
    EXPECT_NE(verdict.reason.find("gateway rejected the token"), std::string::npos);
  }
  EXPECT_NE(judge_models_probe(401, "", "", "openclaw:main", false).reason.find("set GATEWAY_TOKEN"), std::string::npos);
}

TEST(OpenAiProbe, NoListToCheckLeavesTheGatewayReadyUnproven) {
  auto verdict = judge_models_probe(404, "not found", "", "openclaw:main", true);
  EXPECT_TRUE(verdict.ready);
  EXPECT_FALSE(verdict.model_listed);
  EXPECT_TRUE(judge_models_probe(200, "<html>", "", "gpt-4o", true).ready);
  EXPECT_TRUE(judge_models_probe(200, "<html>", "", "openclaw:main", true).ready);
  EXPECT_FALSE(judge_models_probe(503, "", "", "gpt-4o", true).ready);
  EXPECT_FALSE(judge_models_probe(0, "", "Connection", "gpt-4o", true).ready);
}

TEST(OpenAiProbe, OtherServersNeedNotListTheirModel) {
  EXPECT_TRUE(judge_models_probe(200, models({"llama3:latest"}), "", "llama3", true).ready);
}

TEST(OpenAiProbe, DeploymentErrorsAreTold) {
  EXPECT_TRUE(deployment_error(400, R"({"error":{"message":"Unknown agent: galahad"}})", "openclaw:galahad"));
  EXPECT_TRUE(deployment_error(404, R"({"error":{"code":"model_not_found"}})", "gpt-x"));
  EXPECT_TRUE(deployment_error(404, "Not Found", "openclaw:main"));
  EXPECT_TRUE(deployment_error(401, "", "openclaw:main"));
  EXPECT_FALSE(deployment_error(400, R"({"error":{"message":"messages must not be empty"}})", "openclaw:main"));
  EXPECT_FALSE(deployment_error(422, "unknown agent", "openclaw:main"));
  EXPECT_FALSE(deployment_error(500, "unknown agent", "openclaw:main"));
}

TEST(OpenAiProbe, EachTaskIsItsOwnSessionUnlessItContinuesOne) {
  EXPECT_EQ(*session_user(task_from("tim", {{"task", "a.b"}})), "8f5e6a1c-3b7d-4c2e-9a10-5d4f3e2b1a09");
  EXPECT_EQ(*session_user(task_from("tim", {{"task", "a.b"}, {"conversation", "thread-7"}})), "tim:thread-7");
  EXPECT_FALSE(session_user(task_from("tim", {{"conversation", 5}})));
  EXPECT_FALSE(session_user(task_from("tim", {{"conversation", ""}})));
  EXPECT_FALSE(session_user(task_from("tim", {{"conversation", std::string(129, 'x')}})));
  EXPECT_FALSE(session_user(task_from("tim", {{"conversation", "a\nb"}})));
}

TEST(OpenAiReadinessState, FlagHoldsUntilTheAgentIsListed) {
  OpenAiReadiness readiness(std::chrono::hours(1));
  EXPECT_TRUE(readiness.record_probe({true, false, ""}));
  readiness.flag("unknown agent/model openclaw:galahad");
  EXPECT_FALSE(readiness.record_probe({true, false, ""}));
  EXPECT_EQ(readiness.reason(), "unknown agent/model openclaw:galahad");
  EXPECT_TRUE(readiness.record_probe({true, true, ""}));
  EXPECT_EQ(readiness.reason(), std::nullopt);
}

TEST(OpenAiReadinessState, WithoutAListTheFlagLapsesAfterTheRecheck) {
  OpenAiReadiness readiness(std::chrono::milliseconds(0));
  readiness.flag("gateway has no /v1/chat/completions");
  EXPECT_TRUE(readiness.record_probe({true, false, ""}));
}

TEST(OpenAiReadinessState, AFailedProbeGivesItsReason) {
  OpenAiReadiness readiness(std::chrono::hours(1));
  EXPECT_FALSE(readiness.record_probe({false, false, "gateway rejected the token"}));
  EXPECT_EQ(readiness.reason(), "gateway rejected the token");
}

}  // namespace
}  // namespace rt::bridge
