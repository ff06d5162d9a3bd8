#include "roundtable/common/process_hardening.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "roundtable/common/proc_file.hpp"

extern char** environ;

namespace rt {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string upper_snake(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// scheme://user:pass@host, anywhere in the value (NATS_URL is a comma list).
bool has_url_credentials(std::string_view value) {
  for (size_t at = value.find("://"); at != std::string_view::npos; at = value.find("://", at + 3)) {
    size_t start = at + 3;
    size_t end = value.find_first_of("/,?# ", start);
    std::string_view authority = value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (authority.find('@') != std::string_view::npos) return true;
  }
  return false;
}

// The original environment block [env_start, env_end) from /proc/self/stat (fields 50 and 51):
// what /proc/<pid>/environ shows, whatever libc's environ array points to now.
std::pair<char*, char*> original_environment_block() {
  std::string stat = read_proc_file("/proc/self/stat").value_or("");
  auto paren = stat.rfind(')');
  if (paren == std::string::npos) return {nullptr, nullptr};
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long long start = 0, end = 0;
  for (int index = 3; fields >> field; ++index) {  // the first field after ')' is field 3
    if (index == 50) start = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 51) {
      end = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  if (start == 0 || end <= start) return {nullptr, nullptr};
  return {reinterpret_cast<char*>(start), reinterpret_cast<char*>(end)};
}

}  // namespace

bool is_secret_setting(std::string_view name, std::string_view value) {
  std::string upper = upper_snake(name);
  for (std::string_view suffix : {"_KEY", "_TOKEN", "_PASSWORD", "_SECRET", "_PASSPHRASE", "_CREDENTIALS"})
    if (ends_with(upper, suffix)) return true;
  return has_url_credentials(value);
}

bool make_non_dumpable() { return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0; }

std::vector<std::string> scrub_secret_arguments(int argc, char** argv) {
  std::vector<std::string> scrubbed;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg.size() <= 2 || arg.compare(0, 2, "--") != 0) continue;
    auto eq = arg.find('=');
    std::string name = upper_snake(arg.substr(2, eq == std::string_view::npos ? std::string_view::npos : eq - 2));
    if (eq != std::string_view::npos) {
      if (!is_secret_setting(name, arg.substr(eq + 1))) continue;
      std::memset(argv[i] + eq + 1, 0, arg.size() - eq - 1);
    } else {
      if (i + 1 >= argc || !is_secret_setting(name, argv[i + 1])) continue;
      ++i;
      std::memset(argv[i], 0, std::strlen(argv[i]));
    }
    scrubbed.push_back("--" + name);
  }
  return scrubbed;
}

std::vector<std::string> scrub_secret_environment() {
  std::vector<std::string> names;
  // Names first, from libc's view, then the bytes of the original block, then libc's copies.
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view line(*entry);
    auto eq = line.find('=');
    if (eq != std::string_view::npos && is_secret_setting(line.substr(0, eq), line.substr(eq + 1))) names.emplace_back(line.substr(0, eq));
  }
  auto [begin, end] = original_environment_block();
  for (char* at = begin; at && at < end;) {
    size_t length = ::strnlen(at, static_cast<size_t>(end - at));
    std::string_view line(at, length);
    auto eq = line.find('=');
    if (eq != std::string_view::npos && is_secret_setting(line.substr(0, eq), line.substr(eq + 1))) {
      std::memset(at + eq + 1, 0, length - eq - 1);
      if (std::find(names.begin(), names.end(), line.substr(0, eq)) == names.end()) names.emplace_back(line.substr(0, eq));
    }
    at += length + 1;
  }
  for (const auto& name : names) ::unsetenv(name.c_str());
  return names;
}

std::vector<std::string> protect_secrets(int argc, char** argv) {
  make_non_dumpable();
  auto scrubbed = scrub_secret_arguments(argc, argv);
  for (auto& name : scrub_secret_environment()) scrubbed.push_back(std::move(name));
  return scrubbed;
}

}  // namespace rt
