#include "roundtable/common/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <vector>

#include "roundtable/common/json_text.hpp"
#include "roundtable/common/time.hpp"

namespace rt {
namespace {

LogLevel level_from_name(std::string_view name) {
  if (name == "trace") return LogLevel::trace;
  if (name == "debug") return LogLevel::debug;
  if (name == "info") return LogLevel::info;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  return LogLevel::off;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    default: return "trace";
  }
}

// One write(2) per line, unbuffered, so a line is out before a crash that follows it. The mutex
// is per process, like stderr: lines longer than a pipe's atomic size never interleave.
void write_line(std::string line) {
  static std::mutex stderr_mutex;
  line += '\n';
  std::lock_guard lock(stderr_mutex);
  for (size_t written = 0; written < line.size();) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: dropping the line is all that is left
    written += static_cast<size_t>(n);
  }
}

// A line has a handful of members: an insertion sort, stable like std::stable_sort, without the
// buffer that one allocates for every line.
constexpr size_t kFewMembers = 24;
template <class Members, class Less>
void sort_few_stably(Members& members, Less less) {
  for (size_t i = 1; i < members.size(); ++i)
    for (size_t j = i; j > 0 && less(members[j], members[j - 1]); --j) std::swap(members[j], members[j - 1]);
}

}  // namespace

Logger::Logger(LogSettings settings) : threshold_(level_from_name(settings.level)), settings_(std::move(settings)) {}
Logger::Logger() : Logger(LogSettings{}) {}

void Logger::debug(std::string_view event, const nlohmann::json& fields) const { write(LogLevel::debug, event, fields); }
void Logger::info(std::string_view event, const nlohmann::json& fields) const { write(LogLevel::info, event, fields); }
void Logger::warn(std::string_view event, const nlohmann::json& fields) const { write(LogLevel::warn, event, fields); }
void Logger::error(std::string_view event, const nlohmann::json& fields) const { write(LogLevel::error, event, fields); }

Logger Logger::with(const nlohmann::json& extra_context) const {
  Logger copy = *this;
  if (!copy.settings_.context.is_object()) copy.settings_.context = nlohmann::json::object();
  for (const auto& [key, value] : extra_context.items()) copy.settings_.context[key] = value;
  return copy;
}

void Logger::write(LogLevel level, std::string_view event, const nlohmann::json& fields) const {
  if (threshold_ == LogLevel::off || level < threshold_) return;
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
    write_line(std::move(line));
    return;
  }
  write_line(json_line(level, event, fields));
}

// The line as a tree would dump it (members sorted by name; a field overrides the context, the
// context the fixed members), written without building the tree.
std::string Logger::json_line(LogLevel level, std::string_view event, const nlohmann::json& fields) const {
  struct Member {
    std::string_view key;
    std::string_view text;
    const nlohmann::json* value = nullptr;
  };
  const std::string ts = format_rfc3339_millis(std::chrono::system_clock::now());
  std::vector<Member> members;
  members.reserve(4 + (settings_.context.is_object() ? settings_.context.size() : 0) + (fields.is_object() ? fields.size() : 0));
  members.push_back({"ts", ts});
  members.push_back({"level", level_name(level)});
  if (!settings_.component.empty()) members.push_back({"component", settings_.component});
  members.push_back({"event", event});
  for (const nlohmann::json* object : {&settings_.context, &fields}) {
    if (!object->is_object()) continue;
    for (auto member = object->begin(); member != object->end(); ++member) members.push_back({member.key(), {}, &*member});
  }
  auto by_key = [](const Member& a, const Member& b) { return a.key < b.key; };
  if (members.size() <= kFewMembers) sort_few_stably(members, by_key);
  else std::stable_sort(members.begin(), members.end(), by_key);
  std::string line;
  line.reserve(256);
  JsonObjectWriter writer(line);
  for (size_t i = 0; i < members.size(); ++i) {
    if (i + 1 < members.size() && members[i + 1].key == members[i].key) continue;  // overridden by a later one
    if (members[i].value) writer.value(members[i].key, *members[i].value);
    else writer.string(members[i].key, members[i].text);
  }
  writer.close();
  return line;
}

bool parse_log_level(std::string_view text) { return text == "off" || level_from_name(text) != LogLevel::off; }

}  // namespace rt
