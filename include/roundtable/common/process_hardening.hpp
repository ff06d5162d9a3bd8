#pragma once
// Keeping a process's secrets (API keys, tokens, passwords) out of reach of other processes of
// the same user, skills included: see docs/security.md.
#include <string>
#include <string_view>
#include <vector>

namespace rt {

// True for a setting whose value is a secret: a name ending in _KEY, _TOKEN, _PASSWORD,
// _SECRET, _PASSPHRASE or _CREDENTIALS, or a URL that carries user information (user:pass@).
bool is_secret_setting(std::string_view name, std::string_view value);

// Call once the configuration has been read (it keeps its own copies):
// - the process becomes non-dumpable: /proc/<pid>/environ, /proc/<pid>/mem and ptrace are
//   closed to processes of the same user that lack CAP_SYS_PTRACE, and no core dump is written;
// - every secret environment variable is overwritten in place in the original environment
//   block (what /proc/<pid>/environ shows, whatever libc's environ says) and unset;
// - the value of every secret flag (--gateway-token=x, --openai-api-key x) is overwritten in
//   argv (what /proc/<pid>/cmdline shows, to anyone).
// Returns the names of the variables and flags scrubbed (never their values).
std::vector<std::string> protect_secrets(int argc, char** argv);

// The pieces, for tests.
bool make_non_dumpable();
std::vector<std::string> scrub_secret_arguments(int argc, char** argv);
std::vector<std::string> scrub_secret_environment();

}  // namespace rt
