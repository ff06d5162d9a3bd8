#pragma once
// The table `make bench` prints: one row per figure, beside its floor or reference, the ratio,
// the goal (issue 15) and whether it is met; the same rows as JSON for docs.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rt::bench {

struct Goal {
  enum Kind { none, ratio_at_least, ratio_at_most, value_at_most } kind = none;
  double bound = 0;
  std::string note;  // how the bound was made, e.g. "floor + RTT + 100 us"
};

struct Row {
  std::string name;
  double measured = 0;
  std::string unit;
  std::optional<double> reference;
  std::string reference_label;  // "floor", "Go bridge (issue 15)" ...
  Goal goal;
  std::optional<double> round_ratio;  // when set, the ratio: the median of per-round ratios

  std::optional<double> ratio() const;
  std::optional<bool> met() const;
  std::string goal_text() const;
};

// A row measured against a reference (ratio = measured / reference).
Row compared(std::string name, double measured, std::string unit, std::optional<double> reference, std::string reference_label,
             Goal goal = {});
// A row measured against a reference in interleaved rounds: the ratio given is the median of
// the per-round ratios, measured and reference the medians over rounds.
Row per_round(std::string name, double measured, std::string unit, double reference, std::string reference_label, double ratio,
              Goal goal = {});
// A row with no reference.
Row plain(std::string name, double measured, std::string unit, Goal goal = {});

class Report {
 public:
  void add(Row row);
  const std::vector<Row>& rows() const { return rows_; }
  void print(std::FILE* out) const;
  nlohmann::json to_json() const;

 private:
  std::vector<Row> rows_;
};

// A number in a few significant digits: 12345 -> "12345", 12.34 -> "12.3", 1.234 -> "1.23".
std::string format_number(double value);

}  // namespace rt::bench
