#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
// text exposition format (version 0.0.4). Thread-safe; values are doubles.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rt::http {

using Labels = std::map<std::string, std::string>;

class MetricsRegistry {
 public:
  void counter(const std::string& name, const std::string& help);
  void gauge(const std::string& name, const std::string& help);
  void histogram(const std::string& name, const std::string& help, std::vector<double> buckets);

  // By name without building a string of it: a task counts and times itself through these.
  void add(std::string_view name, double amount = 1, const Labels& labels = {});   // counter
  void set(std::string_view name, double value, const Labels& labels = {});        // gauge
  void observe(std::string_view name, double value, const Labels& labels = {});    // histogram
  double value(std::string_view name, const Labels& labels = {}) const;           // counter/gauge, for tests

  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  enum class Kind { counter, gauge, histogram };
  struct Series {
    double value = 0;                 // counter or gauge
    std::vector<uint64_t> bucket_counts;  // histogram, non-cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, Series> series;
  };
  Family& family(std::string_view name, Kind kind);
  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace rt::http
