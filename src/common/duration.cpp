#include "roundtable/common/duration.hpp"

#include <cctype>
#include <cmath>

#include "roundtable/common/strings.hpp"

namespace rt {

std::optional<Millis> parse_duration(std::string_view text) {
  if (text == "0") return Millis{0};
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    bool seen_dot = false;
    while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || (text[pos] == '.' && !seen_dot))) {
      seen_dot = seen_dot || text[pos] == '.';
      ++pos;
    }
    if (pos == start) return std::nullopt;
    std::string number(text.substr(start, pos - start));
    if (number == ".") return std::nullopt;
    double value = std::stod(number);
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    double scale;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return std::nullopt;
    total_ms += value * scale;
  }
  if (total_ms > 1e15) return std::nullopt;
  return Millis{static_cast<long long>(std::llround(total_ms))};
}

std::optional<std::vector<Millis>> parse_duration_list(std::string_view text) {
  std::vector<Millis> out;
  for (const auto& item : split(text, ',')) {
    auto parsed = parse_duration(trim(item));
    if (!parsed) return std::nullopt;
    out.push_back(*parsed);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string format_duration(Millis duration) {
  long long ms = duration.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace rt
