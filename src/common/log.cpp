#include "roundtable/common/log.hpp"

#include <chrono>

#include <spdlog/sinks/stdout_sinks.h>

#include "roundtable/common/time.hpp"

namespace rt {
namespace {

std::shared_ptr<spdlog::logger> make_stderr_logger(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("roundtable", sink);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    default: return "trace";
  }
}

}  // namespace

Logger::Logger(LogSettings settings) : sink_(make_stderr_logger(settings.level)), settings_(std::move(settings)) {}
Logger::Logger() : Logger(LogSettings{}) {}

void Logger::debug(std::string_view event, const nlohmann::json& fields) const { write(spdlog::level::debug, event, fields); }
void Logger::info(std::string_view event, const nlohmann::json& fields) const { write(spdlog::level::info, event, fields); }
void Logger::warn(std::string_view event, const nlohmann::json& fields) const { write(spdlog::level::warn, event, fields); }
void Logger::error(std::string_view event, const nlohmann::json& fields) const { write(spdlog::level::err, event, fields); }

Logger Logger::with(const nlohmann::json& extra_context) const {
  Logger copy = *this;
  if (!copy.settings_.context.is_object()) copy.settings_.context = nlohmann::json::object();
  for (const auto& [key, value] : extra_context.items()) copy.settings_.context[key] = value;
  return copy;
}

void Logger::write(spdlog::level::level_enum level, std::string_view event, const nlohmann::json& fields) const {
  if (!sink_->should_log(level)) return;
  if (settings_.format == LogFormat::text) {
    std::string line = format_rfc3339_millis(std::chrono::system_clock::now()) + " " + level_name(level) + " ";
    if (!settings_.component.empty()) line += "[" + settings_.component + "] ";
    line += event;
    auto append = [&line](const nlohmann::json& object) {
      if (!object.is_object()) return;
      for (const auto& [key, value] : object.items())
        line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    };
    append(settings_.context);
    append(fields);
    sink_->log(level, line);
    return;
  }
  nlohmann::json line = {{"ts", format_rfc3339_millis(std::chrono::system_clock::now())},
                         {"level", level_name(level)}};
  if (!settings_.component.empty()) line["component"] = settings_.component;
  line["event"] = std::string(event);
  if (settings_.context.is_object())
    for (const auto& [key, value] : settings_.context.items()) line[key] = value;
  if (fields.is_object())
    for (const auto& [key, value] : fields.items()) line[key] = value;
  sink_->log(level, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool parse_log_level(std::string_view text) {
  return text == "trace" || text == "debug" || text == "info" || text == "warn" || text == "error" || text == "off";
}

}  // namespace rt
