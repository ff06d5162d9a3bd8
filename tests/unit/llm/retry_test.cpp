// Retries with back-off and retry-after, fallback models, deadlines: no real sleeping.
#include <gtest/gtest.h>

#include <deque>

#include "roundtable/llm/providers.hpp"

namespace rt::llm {
namespace {

using std::chrono::milliseconds;

// A provider answering from a script and recording which model each call asked for.
class ScriptedProvider final : public Provider {
 public:
  std::deque<Outcome> script;
  std::vector<std::string> models;
  Outcome complete(const Request& request) override {
    models.push_back(request.model);
    if (script.empty()) return ok("default");
    auto next = script.front();
    script.pop_front();
    return next;
  }
  std::string name() const override { return "scripted"; }

  static Outcome ok(const std::string& text) {
    Response r;
    r.content.push_back(Block::make_text(text));
    return Outcome::success(r);
  }
  static Outcome status(int code, std::optional<milliseconds> retry_after = std::nullopt) {
    return Outcome::fail(failure_for_status(code, "{}", retry_after));
  }
};

struct Harness {
  ScriptedProvider* inner = nullptr;
  std::vector<milliseconds> sleeps;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::unique_ptr<RetryingProvider> provider;

  explicit Harness(std::vector<std::string> fallbacks = {}, int attempts = 3) {
    auto scripted = std::make_unique<ScriptedProvider>();
    inner = scripted.get();
    RetryPolicy policy;
    policy.attempts_per_model = attempts;
    policy.base_delay = milliseconds(100);
    policy.max_delay = milliseconds(1000);
    policy.sleep = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    policy.now = [this] { return now; };
    provider = std::make_unique<RetryingProvider>(std::move(scripted), std::move(fallbacks), policy);
  }
  Outcome call(std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
    Request r;
    r.model = "primary";
    r.deadline = deadline;
    return provider->complete(r);
  }
};

TEST(RetryingProvider, ServerErrorsBackOffExponentiallyThenSucceed) {
  Harness h;
  h.inner->script = {ScriptedProvider::status(500), ScriptedProvider::status(529), ScriptedProvider::ok("fine")};
  auto outcome = h.call();
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response->text(), "fine");
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST(RetryingProvider, RetryAfterDecidesTheWait) {
  Harness h;
  h.inner->script = {ScriptedProvider::status(429, milliseconds(700)), ScriptedProvider::ok("fine")};
  EXPECT_TRUE(h.call().ok());
  EXPECT_EQ(h.sleeps, std::vector<milliseconds>{milliseconds(700)});
}

TEST(RetryingProvider, ClientErrorsAndSpendLimitsAreNotRetried) {
  for (int code : {400, 401, 402}) {
    Harness h;
    h.inner->script = {ScriptedProvider::status(code), ScriptedProvider::ok("never")};
    auto outcome = h.call();
    EXPECT_FALSE(outcome.ok()) << code;
    EXPECT_FALSE(outcome.failure.retryable) << code;
    EXPECT_EQ(h.inner->models.size(), 1u) << code;
    EXPECT_TRUE(h.sleeps.empty()) << code;
  }
}

TEST(RetryingProvider, FallbackModelsAreTriedInOrderWhenOneKeepsFailing) {
  Harness h({"second", "third"}, 2);
  h.inner->script = {ScriptedProvider::status(500), ScriptedProvider::status(500), ScriptedProvider::status(503),
                     ScriptedProvider::status(503), ScriptedProvider::ok("third answers")};
  auto outcome = h.call();
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(h.inner->models, (std::vector<std::string>{"primary", "primary", "second", "second", "third"}));
}

TEST(RetryingProvider, PersistentFailureEndsRetryableWithTheLastError) {
  Harness h({"second"}, 2);
  h.inner->script = {ScriptedProvider::status(500), ScriptedProvider::status(500), ScriptedProvider::status(500),
                     ScriptedProvider::status(502)};
  auto outcome = h.call();
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.code, ErrorCode::model_error);
  EXPECT_TRUE(outcome.failure.retryable);
  EXPECT_EQ(outcome.failure.http_status, 502);
  EXPECT_EQ(h.inner->models.size(), 4u);
}

TEST(RetryingProvider, ALongRetryAfterMovesOnInsteadOfSleepingShort) {
  Harness h({"second"});
  h.inner->script = {ScriptedProvider::status(429, milliseconds(60'000)), ScriptedProvider::status(429, milliseconds(60'000))};
  auto outcome = h.call();
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.code, ErrorCode::rate_limited);
  EXPECT_EQ(outcome.failure.retry_after, milliseconds(60'000)) << "handed on to the caller as retryAfterSeconds";
  EXPECT_EQ(h.inner->models, (std::vector<std::string>{"primary", "second"}));
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(RetryingProvider, NoSleepRunsPastTheDeadline) {
  Harness h;
  h.inner->script = {ScriptedProvider::status(500), ScriptedProvider::status(500), ScriptedProvider::ok("late")};
  auto outcome = h.call(h.now + milliseconds(150));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(h.sleeps, std::vector<milliseconds>{milliseconds(100)});
  EXPECT_EQ(h.inner->models.size(), 2u);
}

TEST(RetryingProvider, AFallbackEqualToThePrimaryIsNotCalledTwice) {
  Harness h({"primary", "second"}, 1);
  h.inner->script = {ScriptedProvider::status(500), ScriptedProvider::ok("second")};
  EXPECT_TRUE(h.call().ok());
  EXPECT_EQ(h.inner->models, (std::vector<std::string>{"primary", "second"}));
}

}  // namespace
}  // namespace rt::llm
