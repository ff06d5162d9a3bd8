#pragma once
// Small order statistics over samples the runs keep (one number per task, preallocated).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace rt::bench {

using Steady = std::chrono::steady_clock;

inline int64_t ns_between(Steady::time_point from, Steady::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

inline double seconds_between(Steady::time_point from, Steady::time_point to) { return ns_between(from, to) / 1e9; }

// The q-quantile (0..1) by nearest rank; 0 for no samples.
template <typename T>
double quantile(std::vector<T> samples, double q) {
  if (samples.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end());
  return static_cast<double>(samples[k]);
}

// The middle value; the mean of the two middle ones for an even count.
template <typename T>
double median(std::vector<T> samples) {
  size_t n = samples.size();
  if (n == 0) return 0;
  auto mid = samples.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(samples.begin(), mid, samples.end());
  double upper = static_cast<double>(*mid);
  if (n % 2 == 1) return upper;
  double lower = static_cast<double>(*std::max_element(samples.begin(), mid));
  return (lower + upper) / 2;
}

}  // namespace rt::bench
