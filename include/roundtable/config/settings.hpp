#pragma once
// Layered settings: knight.yaml < environment < command-line flags (docs/contract.md §7).
// Names are the environment names (NATS_URL); flags are their kebab-case (--nats-url).
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rt::config {

// A bad setting: main() prints what() as one line and exits 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string setting, const std::string& message)
      : std::runtime_error(message), setting_(std::move(setting)) {}
  const std::string& setting() const { return setting_; }

 private:
  std::string setting_;
};

using EnvMap = std::map<std::string, std::string>;
EnvMap environment_from(char** envp);

// "NATS_URL" <-> "nats-url"
std::string flag_name(std::string_view env_name);
std::string env_name(std::string_view flag_name);

class Settings {
 public:
  // Values from a YAML file, already mapped to environment names.
  void add_file(const std::map<std::string, std::string>& values, std::string origin);
  void add_env(const EnvMap& env);
  // Parses --name=value / --name value / --flag (true) for the given known names;
  // returns the positional arguments. Unknown flags throw ConfigError.
  std::vector<std::string> add_flags(const std::vector<std::string>& args, const std::vector<std::string>& known_names,
                                     const std::vector<std::string>& boolean_names = {});

  std::optional<std::string> raw(std::string_view name) const;
  std::string origin(std::string_view name) const;  // "flag --x", "environment X", "knight.yaml"

  std::string text(std::string_view name, std::string fallback) const;
  std::optional<std::string> optional_text(std::string_view name) const;  // empty counts as unset
  int64_t integer(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;
  bool boolean(std::string_view name, bool fallback) const;
  std::chrono::milliseconds duration(std::string_view name, std::chrono::milliseconds fallback) const;
  std::vector<std::chrono::milliseconds> duration_list(std::string_view name, std::vector<std::chrono::milliseconds> fallback) const;
  std::vector<std::string> list(std::string_view name, std::vector<std::string> fallback) const;
  std::string identifier(std::string_view name, std::optional<std::string> fallback) const;
  std::vector<std::string> identifier_list(std::string_view name, std::vector<std::string> fallback) const;
  std::string choice(std::string_view name, std::string fallback, const std::vector<std::string>& allowed) const;

  [[noreturn]] void fail(std::string_view name, const std::string& expected, const std::string& got) const;

 private:
  struct Value {
    std::string text;
    std::string origin;
  };
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace rt::config
