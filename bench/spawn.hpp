#pragma once
// Child processes of the driver: started with vfork+exec (the exec instant is what ready times
// count from), stopped by PID, killed by the kernel if the driver dies (PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rt::bench {

using EnvMap = std::map<std::string, std::string>;

// An executable by name: as given when it holds a '/', else looked up on PATH, /usr/sbin, /usr/bin.
std::string resolve_executable(const std::string& name);
// A command line split on blanks; single and double quotes group words.
std::vector<std::string> split_command(const std::string& line);

class Child {
 public:
  Child() = default;
  // env entries are added to (and override) the driver's environment; output goes to log.
  Child(std::vector<std::string> argv, EnvMap env, std::filesystem::path log);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;

  void start();
  pid_t pid() const { return pid_; }
  bool running();
  void pause();   // SIGSTOP
  void resume();  // SIGCONT
  // SIGTERM without waiting (several children stop at once; stop() then reaps).
  void terminate();
  // SIGTERM, then SIGKILL after grace.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // The last max_bytes of its output, for error messages.
  std::string output_tail(size_t max_bytes = 2000) const;

 private:
  void kill_now();
  std::vector<std::string> argv_;
  EnvMap env_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace rt::bench
