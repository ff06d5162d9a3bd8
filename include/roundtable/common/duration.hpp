#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt {

using Millis = std::chrono::milliseconds;

// "500ms", "30s", "5m", "1h" (also "1h30m", "1.5s"); a bare "0" is zero.
std::optional<Millis> parse_duration(std::string_view text);
// Comma list of durations, e.g. "2s,10s,30s,60s".
std::optional<std::vector<Millis>> parse_duration_list(std::string_view text);
// The shortest exact text: 1500ms -> "1500ms", 30000ms -> "30s", 300000ms -> "5m".
std::string format_duration(Millis duration);

}  // namespace rt
