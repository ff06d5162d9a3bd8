#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rt {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-02-08T15:00:00Z" (seconds precision, UTC).
std::string format_rfc3339(SystemTime time);
// "2026-02-08T15:00:00.123Z", for logs.
std::string format_rfc3339_millis(SystemTime time);
// Accepts RFC 3339 with optional fraction and a Z or +hh:mm/-hh:mm offset.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

// The seam for time: tests substitute a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace rt
