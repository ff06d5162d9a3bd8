#include "roundtable/config/settings.hpp"

#include <algorithm>
#include <cctype>

#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::config {

EnvMap environment_from(char** envp) {
  EnvMap env;
  for (char** entry = envp; entry && *entry; ++entry) {
    std::string_view line(*entry);
    auto eq = line.find('=');
    if (eq != std::string_view::npos) env.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return env;
}

std::string flag_name(std::string_view env) {
  std::string out;
  for (char c : env) out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string env_name(std::string_view flag) {
  std::string out;
  for (char c : flag) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void Settings::add_file(const std::map<std::string, std::string>& values, std::string origin) {
  for (const auto& [name, text] : values) values_[name] = Value{text, origin};
}

void Settings::add_env(const EnvMap& env) {
  for (const auto& [name, text] : env) values_[name] = Value{text, "environment " + name};
}

std::vector<std::string> Settings::add_flags(const std::vector<std::string>& args, const std::vector<std::string>& known,
                                             const std::vector<std::string>& booleans) {
  std::vector<std::string> positional;
  auto is_known = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!starts_with(arg, "--") || arg == "--") {
      positional.push_back(arg);
      continue;
    }
    std::string body = arg.substr(2);
    auto eq = body.find('=');
    std::string name = env_name(body.substr(0, eq));
    if (!is_known(known, name) && !is_known(booleans, name))
      throw ConfigError(name, "unknown flag --" + body.substr(0, eq) + " (see --help)");
    std::string value;
    if (eq != std::string::npos) value = body.substr(eq + 1);
    else if (is_known(booleans, name)) value = "true";
    else if (i + 1 < args.size()) value = args[++i];
    else throw ConfigError(name, "flag --" + body + " needs a value");
    values_[name] = Value{value, "flag --" + flag_name(name)};
  }
  return positional;
}

std::optional<std::string> Settings::raw(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.text;
}

std::string Settings::origin(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "default" : it->second.origin;
}

void Settings::fail(std::string_view name, const std::string& expected, const std::string& got) const {
  std::string shown = got.size() > 80 ? got.substr(0, 80) + "..." : got;
  throw ConfigError(std::string(name), "invalid setting " + std::string(name) + " (from " + origin(name) + "): expected " +
                                           expected + ", got '" + shown + "'");
}

std::optional<std::string> Settings::optional_text(std::string_view name) const {
  auto value = raw(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::string Settings::text(std::string_view name, std::string fallback) const {
  return optional_text(name).value_or(std::move(fallback));
}

int64_t Settings::integer(std::string_view name, int64_t fallback, int64_t min, int64_t max) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  try {
    size_t used = 0;
    long long parsed = std::stoll(*value, &used);
    if (used != value->size() || parsed < min || parsed > max) fail(name, expected, *value);
    return parsed;
  } catch (const std::logic_error&) {
    fail(name, expected, *value);
  }
}

bool Settings::boolean(std::string_view name, bool fallback) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  std::string lower = to_lower(*value);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  fail(name, "true or false", *value);
}

std::chrono::milliseconds Settings::duration(std::string_view name, std::chrono::milliseconds fallback) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  auto parsed = parse_duration(*value);
  if (!parsed) fail(name, "a duration like 500ms, 30s, 5m or 1h", *value);
  return *parsed;
}

std::vector<std::chrono::milliseconds> Settings::duration_list(std::string_view name,
                                                               std::vector<std::chrono::milliseconds> fallback) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  auto parsed = parse_duration_list(*value);
  if (!parsed) fail(name, "a comma list of durations like 2s,10s,30s,60s", *value);
  return *parsed;
}

std::vector<std::string> Settings::list(std::string_view name, std::vector<std::string> fallback) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  std::vector<std::string> items;
  for (const auto& item : split(*value, ','))
    if (auto trimmed = trim(item); !trimmed.empty()) items.push_back(trimmed);
  if (items.empty()) fail(name, "a non-empty comma list", *value);
  return items;
}

std::string Settings::identifier(std::string_view name, std::optional<std::string> fallback) const {
  auto value = optional_text(name);
  if (!value) {
    if (fallback) return *fallback;
    throw ConfigError(std::string(name), "missing setting " + std::string(name) +
                                             ": expected an identifier ([a-z0-9][a-z0-9-]*), set it in the environment or with --" +
                                             flag_name(name));
  }
  if (!contract::is_identifier(*value)) fail(name, "an identifier ([a-z0-9][a-z0-9-]*, no '.', '*', '>' or spaces)", *value);
  return *value;
}

std::vector<std::string> Settings::identifier_list(std::string_view name, std::vector<std::string> fallback) const {
  auto value = optional_text(name);
  if (!value) {
    if (!fallback.empty()) return fallback;
    throw ConfigError(std::string(name), "missing setting " + std::string(name) + ": expected a comma list of identifiers");
  }
  auto items = list(name, {});
  for (const auto& item : items)
    if (!contract::is_identifier(item)) fail(name, "a comma list of identifiers ([a-z0-9][a-z0-9-]*)", *value);
  return items;
}

std::string Settings::choice(std::string_view name, std::string fallback, const std::vector<std::string>& allowed) const {
  auto value = optional_text(name);
  if (!value) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) fail(name, "one of " + join(allowed, "|"), *value);
  return *value;
}

}  // namespace rt::config
