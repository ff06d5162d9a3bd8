#pragma once
// Structured logging: one JSON object per line (default) or plain text, on stderr.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rt {

enum class LogFormat { json, text };
enum class LogLevel { trace, debug, info, warn, error, off };

struct LogSettings {
  std::string level = "info";  // trace|debug|info|warn|error|off
  LogFormat format = LogFormat::json;
  std::string component;       // e.g. "bridge"
  nlohmann::json context;      // fields added to every line, e.g. {"fleet":..,"agent":..}
};

// A logger that writes one event per line to stderr. Fields are merged into the line.
class Logger {
 public:
  explicit Logger(LogSettings settings);
  Logger();  // info, json, no component: for tests and tools

  void debug(std::string_view event, const nlohmann::json& fields = {}) const;
  void info(std::string_view event, const nlohmann::json& fields = {}) const;
  void warn(std::string_view event, const nlohmann::json& fields = {}) const;
  void error(std::string_view event, const nlohmann::json& fields = {}) const;

  // Whether a line at `level` is written: to skip building the fields of one that is not.
  bool enabled(LogLevel level) const { return threshold_ != LogLevel::off && level >= threshold_; }

  // A logger with the same sink and extra fixed context (e.g. a sub-component).
  Logger with(const nlohmann::json& extra_context) const;

 private:
  void write(LogLevel level, std::string_view event, const nlohmann::json& fields) const;
  std::string json_line(LogLevel level, std::string_view event, const nlohmann::json& fields) const;
  LogLevel threshold_;
  LogSettings settings_;
};

bool parse_log_level(std::string_view text);

}  // namespace rt
