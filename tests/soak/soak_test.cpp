// The soak's own arithmetic: back-off budget, percentiles and the lost/duplicated/failed tally.
#include <gtest/gtest.h>

#include "soak/soak_settings.hpp"
#include "soak/tally.hpp"

namespace rt::soak {
namespace {

using namespace std::chrono_literals;

TEST(SoakSettings, BackoffBudgetRepeatsTheLastDelayUntilTheLastAttempt) {
  SoakSettings s;
  s.backoff = "200ms,500ms,1s";
  s.max_deliver = 5;
  EXPECT_EQ(s.backoff_budget(), 2700ms);  // after attempts 1..4: 200 + 500 + 1000 + 1000
  s.max_deliver = 2;
  EXPECT_EQ(s.backoff_budget(), 200ms);
}

TEST(SoakTally, PercentileIsTheNearestRank) {
  std::vector<double> samples;
  for (int i = 1; i <= 100; ++i) samples.push_back(i);
  EXPECT_EQ(percentile(samples, 0.5), 50);
  EXPECT_EQ(percentile(samples, 0.99), 99);
  EXPECT_EQ(percentile({}, 0.5), 0);
}

TEST(SoakTally, CountsLostDuplicatedAndFailedTasks) {
  auto now = std::chrono::system_clock::now();
  std::vector<PublishedTask> published{{"a", now}, {"b", now}, {"c", now}, {"d", now}};
  std::map<std::string, std::vector<StoredResult>> results{
      {"a", {{"task.result", now + 10ms}}},
      {"b", {{"task.result", now + 20ms}, {"task.result", now + 30ms}}},
      {"c", {{"task.failed", now + 40ms}}}};
  auto t = count_results(published, results);
  t.tasks = t.published = 4;
  EXPECT_EQ(t.completed, 2u);
  EXPECT_EQ(t.failed, 1u);
  EXPECT_EQ(t.lost, 1u);
  EXPECT_EQ(t.duplicated, 1u);
  EXPECT_EQ(t.lost_ids, std::vector<std::string>{"d"});
  EXPECT_FALSE(t.passed());
}

}  // namespace
}  // namespace rt::soak
