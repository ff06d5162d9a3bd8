#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rt {

std::vector<std::string> split(std::string_view text, char separator);
std::string trim(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
std::string to_lower(std::string_view text);
std::string base64_encode(std::string_view bytes);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace rt
