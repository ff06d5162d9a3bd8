#include "report.hpp"

#include <algorithm>
#include <cmath>

namespace rt::bench {

std::string format_number(double value) {
  char buf[64];
  double a = std::fabs(value);
  std::snprintf(buf, sizeof buf, a >= 100 || a == 0 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", value);
  return buf;
}

std::optional<double> Row::ratio() const {
  if (round_ratio) return round_ratio;
  if (!reference || *reference == 0) return std::nullopt;
  return measured / *reference;
}

std::optional<bool> Row::met() const {
  switch (goal.kind) {
    case Goal::none: return std::nullopt;
    case Goal::ratio_at_least: return ratio() ? std::optional<bool>(*ratio() >= goal.bound) : std::nullopt;
    case Goal::ratio_at_most: return ratio() ? std::optional<bool>(*ratio() <= goal.bound) : std::nullopt;
    case Goal::value_at_most: return measured <= goal.bound;
  }
  return std::nullopt;
}

std::string Row::goal_text() const {
  std::string text;
  switch (goal.kind) {
    case Goal::none: return "-";
    case Goal::ratio_at_least: text = ">= " + format_number(goal.bound) + "x"; break;
    case Goal::ratio_at_most: text = "<= " + format_number(goal.bound) + "x"; break;
    case Goal::value_at_most: text = "<= " + format_number(goal.bound) + " " + unit; break;
  }
  if (!goal.note.empty()) text += " (" + goal.note + ")";
  return text;
}

Row compared(std::string name, double measured, std::string unit, std::optional<double> reference, std::string reference_label, Goal goal) {
  return Row{std::move(name), measured, std::move(unit), reference, std::move(reference_label), std::move(goal), std::nullopt};
}

Row per_round(std::string name, double measured, std::string unit, double reference, std::string reference_label, double ratio,
              Goal goal) {
  Row row = compared(std::move(name), measured, std::move(unit), reference, std::move(reference_label), std::move(goal));
  row.round_ratio = ratio;
  return row;
}

Row plain(std::string name, double measured, std::string unit, Goal goal) {
  return Row{std::move(name), measured, std::move(unit), std::nullopt, "", std::move(goal), std::nullopt};
}

void Report::add(Row row) { rows_.push_back(std::move(row)); }

void Report::print(std::FILE* out) const {
  std::vector<std::vector<std::string>> cells{{"figure", "measured", "floor / reference", "ratio", "goal", "met?"}};
  for (const auto& r : rows_) {
    const std::string unit = r.unit.empty() ? "" : " " + r.unit;
    std::string reference = r.reference ? format_number(*r.reference) + unit + " (" + r.reference_label + ")" : "-";
    std::string ratio = r.ratio() ? format_number(*r.ratio()) + "x" : "-";
    std::string met = r.met() ? (*r.met() ? "yes" : "NO") : "-";
    cells.push_back({r.name, format_number(r.measured) + unit, reference, ratio, r.goal_text(), met});
  }
  std::vector<size_t> width(6, 0);
  for (const auto& line : cells)
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  auto rule = [&] {
    for (size_t c = 0; c < width.size(); ++c) std::fprintf(out, "%s%s", c ? "-|-" : "", std::string(width[c], '-').c_str());
    std::fprintf(out, "\n");
  };
  for (size_t i = 0; i < cells.size(); ++i) {
    for (size_t c = 0; c < cells[i].size(); ++c) std::fprintf(out, "%s%-*s", c ? " | " : "", static_cast<int>(width[c]), cells[i][c].c_str());
    std::fprintf(out, "\n");
    if (i == 0) rule();
  }
}

nlohmann::json Report::to_json() const {
  auto rows = nlohmann::json::array();
  for (const auto& r : rows_) {
    nlohmann::json row{{"name", r.name}, {"measured", r.measured}, {"unit", r.unit}, {"goal", r.goal_text()}};
    row["reference"] = r.reference ? nlohmann::json(*r.reference) : nlohmann::json(nullptr);
    row["reference_label"] = r.reference_label;
    row["ratio"] = r.ratio() ? nlohmann::json(*r.ratio()) : nlohmann::json(nullptr);
    row["ratio_is_median_of_rounds"] = r.round_ratio.has_value();
    row["met"] = r.met() ? nlohmann::json(*r.met()) : nlohmann::json(nullptr);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace rt::bench
