// What Kubernetes accepts as a CronJob's schedule and time zone, checked before it is applied.
#include <array>
#include <cctype>
#include <system_error>

#include "roundtable/cli/schedule.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

namespace {

struct Field {
  const char* name;
  int min, max;
  std::vector<std::string> names;  // names for min, min+1, ... (months, week days)
};

const std::array<Field, 5>& fields() {
  static const std::array<Field, 5> table{{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day of month", 1, 31, {}},
      {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      {"day of week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  }};
  return table;
}

std::optional<int> value_of(const Field& f, const std::string& text) {
  auto lower = to_lower(text);
  for (size_t i = 0; i < f.names.size(); ++i)
    if (lower == f.names[i]) return f.min + static_cast<int>(i);
  if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int v = std::stoi(text);
  if (v < f.min || v > f.max) return std::nullopt;
  return v;
}

std::optional<std::string> item_problem(const Field& f, const std::string& item) {
  auto bad = [&](const std::string& why) { return std::string(f.name) + " '" + item + "': " + why; };
  auto slash = item.find('/');
  std::string range = item.substr(0, slash);
  if (slash != std::string::npos) {
    std::string step = item.substr(slash + 1);
    if (step.empty() || step.size() > 2 || step.find_first_not_of("0123456789") != std::string::npos || std::stoi(step) == 0)
      return bad("the step must be a whole number from 1");
  }
  if (range == "*" || range == "?") return std::nullopt;
  auto dash = range.find('-');
  auto low = value_of(f, range.substr(0, dash));
  if (!low) return bad("expected *, a number from " + std::to_string(f.min) + " to " + std::to_string(f.max) + (f.names.empty() ? "" : " or a name") + ", or a range");
  if (dash == std::string::npos) return std::nullopt;
  auto high = value_of(f, range.substr(dash + 1));
  if (!high || *high < *low) return bad("a range must go from a lower to a higher value within " + std::to_string(f.min) + "-" + std::to_string(f.max));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> cron_problem(std::string_view expression) {
  std::string text = trim(expression);
  if (text.starts_with("TZ=") || text.starts_with("CRON_TZ="))
    return "put the time zone in timeZone, not in the schedule (Kubernetes refuses TZ= there)";
  if (text.starts_with('@')) {
    for (const char* macro : {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
      if (text == macro) return std::nullopt;
    return "unknown macro '" + text + "' (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)";
  }
  std::vector<std::string> parts;
  std::string current;
  for (char ch : text) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += ch;
    }
  }
  if (!current.empty()) parts.push_back(current);
  if (parts.size() != 5) return "expected five fields (minute hour day-of-month month day-of-week), got " + std::to_string(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    for (const auto& item : split(parts[i], ',')) {
      if (item.empty()) return std::string(fields()[i].name) + " '" + parts[i] + "': an empty list item";
      if (auto why = item_problem(fields()[i], item)) return why;
    }
  }
  return std::nullopt;
}

std::optional<std::string> time_zone_problem(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
  std::string text(name);
  if (text.empty()) return "a time zone is required (an IANA name such as Europe/Berlin or Etc/UTC)";
  bool syntax_ok = text.size() <= 64 && !text.starts_with('/') && !text.ends_with('/') && text.find("//") == std::string::npos &&
                   text.find("..") == std::string::npos && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") == std::string::npos;
  if (!syntax_ok || text == "Local") return "'" + excerpt(text, 64) + "' is not an IANA time zone name (such as Europe/Berlin)";
  std::error_code ec;
  if (std::filesystem::is_directory(zoneinfo_dir, ec) && !std::filesystem::is_regular_file(zoneinfo_dir / text, ec))
    return "unknown time zone '" + text + "' (not in " + zoneinfo_dir.string() + ")";
  return std::nullopt;
}

}  // namespace rt::cli
