#include "roundtable/common/time.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace rt {
namespace {

bool read_digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Digits written by hand: this runs for every envelope, log line and gateway call.
void put_digits(char* at, int value, int count) {
  for (int i = count - 1; i >= 0; --i, value /= 10) at[i] = static_cast<char>('0' + value % 10);
}

std::string format_with(SystemTime time, bool millis) {
  auto since_epoch = time.time_since_epoch();
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  const int year = utc.tm_year + 1900;
  const auto ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count());
  if (year < 0 || year > 9999) {  // not RFC 3339 any more: written as printf writes it
    char wide[64];
    std::snprintf(wide, sizeof wide, "%04d-%02d-%02dT%02d:%02d:%02d", year, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    std::string out = wide;
    if (millis) std::snprintf(wide, sizeof wide, ".%03d", ms), out += wide;
    return out + 'Z';
  }
  char text[] = "0000-00-00T00:00:00.000Z";
  put_digits(text, year, 4);
  put_digits(text + 5, utc.tm_mon + 1, 2);
  put_digits(text + 8, utc.tm_mday, 2);
  put_digits(text + 11, utc.tm_hour, 2);
  put_digits(text + 14, utc.tm_min, 2);
  put_digits(text + 17, utc.tm_sec, 2);
  if (!millis) return std::string(text, 19) + 'Z';
  put_digits(text + 20, ms, 3);
  return std::string(text, sizeof text - 1);
}

}  // namespace

std::string format_rfc3339(SystemTime time) { return format_with(time, false); }
std::string format_rfc3339_millis(SystemTime time) { return format_with(time, true); }

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20) return std::nullopt;
  if (!read_digits(text, 0, 4, year) || text[4] != '-' || !read_digits(text, 5, 2, month) || text[7] != '-' ||
      !read_digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') || !read_digits(text, 11, 2, hour) ||
      text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':' || !read_digits(text, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    long long nanos = 0;
    int digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    while (digits < 9) {
      nanos *= 10;
      ++digits;
    }
    fraction = std::chrono::nanoseconds(nanos);
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                   std::chrono::day{static_cast<unsigned>(day)}};
  auto days = std::chrono::sys_days{date};
  std::chrono::sys_seconds point = days + std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second) -
                                   std::chrono::minutes(offset_minutes);
  // system_clock counts nanoseconds in 64 bits (years 1678..2261): beyond that the cast below
  // would overflow, so such a time is not one we can represent.
  constexpr auto kLimit = std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()) - std::chrono::seconds(1);
  if (point.time_since_epoch() > kLimit || point.time_since_epoch() < -kLimit) return std::nullopt;
  return std::chrono::time_point_cast<SystemTime::duration>(point) + std::chrono::duration_cast<SystemTime::duration>(fraction);
}

}  // namespace rt
