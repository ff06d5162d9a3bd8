#pragma once
// Child processes: started by fork/exec, stopped by PID, output kept in a file.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace rt {

// A loopback TCP port that was free a moment ago.
int free_port();
// True once something accepts TCP connections on 127.0.0.1:port, polling up to timeout.
bool wait_for_port(int port, std::chrono::milliseconds timeout);
// A fresh directory under /tmp, removed by the owner.
std::filesystem::path make_temp_dir(const std::string& prefix);
// This process's environment with `overrides` added (they win), as NAME=value entries for execve.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides);

class ChildProcess {
 public:
  ChildProcess() = default;
  // env entries are added to (and override) this process's environment.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::filesystem::path log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  void start();
  pid_t pid() const { return pid_; }
  bool running();
  // Sends a signal; SIGKILL for a crash, SIGTERM for a clean stop.
  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, wait, then SIGKILL if needed.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  std::string output() const;
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a command to completion, returning exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace rt
