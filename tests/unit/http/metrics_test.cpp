// Prometheus text exposition format (0.0.4) of MetricsRegistry.
#include "roundtable/http/metrics.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rt::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Metrics, CounterWithHelpAndType) {
  MetricsRegistry m;
  m.counter("rt_tasks_total", "Tasks handled by outcome.");
  m.add("rt_tasks_total", 1, {{"outcome", "completed"}});
  m.add("rt_tasks_total", 2, {{"outcome", "completed"}});
  m.add("rt_tasks_total", 1, {{"outcome", "failed"}});
  EXPECT_EQ(m.value("rt_tasks_total", {{"outcome", "completed"}}), 3);
  EXPECT_EQ(m.render(),
            "# HELP rt_tasks_total Tasks handled by outcome.\n"
            "# TYPE rt_tasks_total counter\n"
            "rt_tasks_total{outcome=\"completed\"} 3\n"
            "rt_tasks_total{outcome=\"failed\"} 1\n");
}

TEST(Metrics, GaugeWithoutLabelsAndDefaultZero) {
  MetricsRegistry m;
  m.gauge("rt_active_tasks", "Tasks in flight.");
  EXPECT_EQ(m.render(), "# HELP rt_active_tasks Tasks in flight.\n# TYPE rt_active_tasks gauge\nrt_active_tasks 0\n");
  m.set("rt_active_tasks", 2);
  m.set("rt_active_tasks", 1);
  EXPECT_EQ(m.value("rt_active_tasks"), 1);
  EXPECT_THAT(m.render(), HasSubstr("\nrt_active_tasks 1\n"));
  EXPECT_THAT(m.render(), Not(HasSubstr("rt_active_tasks 0")));
}

TEST(Metrics, LabelsAreSortedAndEscaped) {
  MetricsRegistry m;
  m.counter("rt_errors_total", "Errors.");
  m.add("rt_errors_total", 1, {{"zone", "a"}, {"message", "say \"hi\"\\ now\nplease"}});
  EXPECT_THAT(m.render(), HasSubstr("rt_errors_total{message=\"say \\\"hi\\\"\\\\ now\\nplease\",zone=\"a\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry m;
  m.histogram("rt_task_seconds", "Task duration.", {0.5, 1, 5});
  m.observe("rt_task_seconds", 0.2, {{"domain", "security"}});
  m.observe("rt_task_seconds", 0.5, {{"domain", "security"}});  // on the boundary: le is inclusive
  m.observe("rt_task_seconds", 3, {{"domain", "security"}});
  m.observe("rt_task_seconds", 60, {{"domain", "security"}});
  EXPECT_EQ(m.render(),
            "# HELP rt_task_seconds Task duration.\n"
            "# TYPE rt_task_seconds histogram\n"
            "rt_task_seconds_bucket{domain=\"security\",le=\"0.5\"} 2\n"
            "rt_task_seconds_bucket{domain=\"security\",le=\"1\"} 2\n"
            "rt_task_seconds_bucket{domain=\"security\",le=\"5\"} 3\n"
            "rt_task_seconds_bucket{domain=\"security\",le=\"+Inf\"} 4\n"
            "rt_task_seconds_sum{domain=\"security\"} 63.7\n"
            "rt_task_seconds_count{domain=\"security\"} 4\n");
}

TEST(Metrics, HistogramWithoutLabelsAndDecimalBuckets) {
  MetricsRegistry m;
  m.histogram("rt_fetch_seconds", "Fetch latency.", {0.005, 0.1, 0.25, 2.5});
  m.observe("rt_fetch_seconds", 0.1);
  m.observe("rt_fetch_seconds", 0.3);
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_bucket{le=\"0.005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_bucket{le=\"0.1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_bucket{le=\"0.25\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_bucket{le=\"2.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_sum 0.4\n"));
  EXPECT_THAT(text, HasSubstr("rt_fetch_seconds_count 2\n"));
}

TEST(Metrics, EveryLineIsCommentOrSample) {
  MetricsRegistry m;
  m.counter("a_total", "A.");
  m.gauge("b", "B.");
  m.histogram("c_seconds", "C.", {1});
  m.add("a_total", 0.5);
  m.set("b", -2);
  m.observe("c_seconds", 0.25, {{"x", "y"}});
  int help = 0, type = 0;
  for (const auto& line : lines(m.render())) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) ++help;
    else if (line.rfind("# TYPE ", 0) == 0) ++type;
    else EXPECT_NE(line.find(' '), std::string::npos) << line;
  }
  EXPECT_EQ(help, 3);
  EXPECT_EQ(type, 3);
  EXPECT_THAT(m.render(), HasSubstr("\na_total 0.5\n"));
  EXPECT_THAT(m.render(), HasSubstr("\nb -2\n"));
}

TEST(Metrics, SpecialValues) {
  MetricsRegistry m;
  m.gauge("g", "G.");
  m.set("g", std::numeric_limits<double>::infinity(), {{"k", "inf"}});
  m.set("g", -std::numeric_limits<double>::infinity(), {{"k", "neg"}});
  m.set("g", std::nan(""), {{"k", "nan"}});
  m.set("g", 1e21, {{"k", "big"}});
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("g{k=\"inf\"} +Inf\n"));
  EXPECT_THAT(text, HasSubstr("g{k=\"neg\"} -Inf\n"));
  EXPECT_THAT(text, HasSubstr("g{k=\"nan\"} NaN\n"));
  EXPECT_THAT(text, HasSubstr("g{k=\"big\"} 1e+21\n"));
}

TEST(Metrics, UnregisteredOrWrongKindThrows) {
  MetricsRegistry m;
  m.counter("c_total", "C.");
  EXPECT_THROW(m.add("missing_total"), std::logic_error);
  EXPECT_THROW(m.set("c_total", 1), std::logic_error);
  EXPECT_THROW(m.observe("c_total", 1), std::logic_error);
  EXPECT_EQ(m.value("missing_total"), 0);
  EXPECT_EQ(m.value("c_total", {{"no", "such"}}), 0);
}

TEST(Metrics, RegisteringTwiceKeepsTheFirst) {
  MetricsRegistry m;
  m.counter("c_total", "First.");
  m.add("c_total", 2);
  m.counter("c_total", "Second.");
  EXPECT_EQ(m.value("c_total"), 2);
  EXPECT_THAT(m.render(), HasSubstr("# HELP c_total First.\n"));
}

TEST(Metrics, ConcurrentAddsAreCounted) {
  MetricsRegistry m;
  m.counter("c_total", "C.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.add("c_total");
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(m.value("c_total"), 4000);
}

TEST(Metrics, HelpTextIsEscaped) {
  MetricsRegistry m;
  m.counter("c_total", "Line one\nline two \\ done.");
  EXPECT_THAT(m.render(), HasSubstr("# HELP c_total Line one\\nline two \\\\ done.\n# TYPE c_total counter\n"));
}

TEST(Metrics, ValuesUseTheShortestExactText) {
  MetricsRegistry m;
  m.counter("c_total", "C.");
  m.add("c_total", 0.1);
  m.add("c_total", 0.2);
  // 0.1 + 0.2 is not 0.3 in binary; the text must still read back as the same double.
  std::string text = m.render();
  auto at = text.find("\nc_total ");
  ASSERT_NE(at, std::string::npos);
  double shown = std::stod(text.substr(at + 9));
  EXPECT_EQ(shown, 0.1 + 0.2);
  m.add("c_total", 1e6);
  EXPECT_THAT(m.render(), Not(HasSubstr("e+")));
}

TEST(Metrics, ContentType) { EXPECT_STREQ(MetricsRegistry::kContentType, "text/plain; version=0.0.4; charset=utf-8"); }

}  // namespace
}  // namespace rt::http
