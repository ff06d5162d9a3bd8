#include "spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "roundtable/common/child_process.hpp"

#include "bench_error.hpp"


namespace rt::bench {

std::string resolve_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/usr/bin:/usr/local/bin";
  std::stringstream in(dirs);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    auto candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw BenchError(name + " not found on PATH");
}

std::vector<std::string> split_command(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Child::Child(std::vector<std::string> argv, EnvMap env, std::filesystem::path log)
    : argv_(std::move(argv)), env_(std::move(env)), log_(std::move(log)) {}

Child::~Child() { kill_now(); }

Child::Child(Child&& other) noexcept
    : argv_(std::move(other.argv_)), env_(std::move(other.env_)), log_(std::move(other.log_)), pid_(other.pid_), exited_(other.exited_) {
  other.pid_ = -1;
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    kill_now();
    argv_ = std::move(other.argv_);
    env_ = std::move(other.env_);
    log_ = std::move(other.log_);
    pid_ = other.pid_;
    exited_ = other.exited_;
    other.pid_ = -1;
  }
  return *this;
}

void Child::start() {
  if (argv_.empty()) throw BenchError("empty command");
  std::vector<std::string> env_strings = environment_with(env_);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string path = resolve_executable(argv_[0]);
  for (auto& s : argv_) argv.push_back(s.data());
  argv.push_back(nullptr);
  // Opened here, so the vforked child only makes system calls before exec.
  int log_fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) throw BenchError("cannot open " + log_.string());
  exited_ = false;
  pid_ = ::vfork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execve(path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid_ < 0) throw BenchError("vfork failed");
}

bool Child::running() {
  if (pid_ <= 0 || exited_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

void Child::pause() {
  if (running()) ::kill(pid_, SIGSTOP);
}

void Child::resume() {
  if (running()) ::kill(pid_, SIGCONT);
}

void Child::terminate() {
  if (!running()) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
}

void Child::stop(std::chrono::milliseconds grace) {
  if (!running()) return;
  terminate();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill_now();
}

void Child::kill_now() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
}

std::string Child::output_tail(size_t max_bytes) const {
  std::ifstream in(log_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace rt::bench
