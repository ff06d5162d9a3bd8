#include "roundtable/gateway/skill_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace rt::gateway {
namespace {

using Steady = std::chrono::steady_clock;

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

std::vector<std::string> scrubbed_environment(const SkillSandbox& sandbox) {
  std::vector<std::string> env{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC", "HOME=" + sandbox.home};
  for (const auto& [k, v] : sandbox.extra_env) env.push_back(k + "=" + v);
  return env;
}

// Reads what is available into `into`, keeping at most `cap` bytes (the rest is read and
// dropped so the skill never blocks on a full pipe); false at EOF.
bool drain(int fd, std::string& into, size_t cap, bool& truncated) {
  char buffer[8192];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n <= 0) return n < 0 && (errno == EAGAIN || errno == EINTR);
  size_t room = into.size() < cap ? cap - into.size() : 0;
  into.append(buffer, std::min(room, static_cast<size_t>(n)));
  if (static_cast<size_t>(n) > room) truncated = true;
  return true;
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const Pipe& in, const Pipe& out, const Pipe& err, int max_fd, const char* dir, char* const* argv,
                             char* const* envp) {
  ::setpgid(0, 0);  // its own process group, so a timeout kills its children too
  // The gateway blocks SIGTERM/SIGINT for its signal thread and ignores SIGPIPE; a skill
  // starts with neither (both survive exec otherwise).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::dup2(in.fd[0], STDIN_FILENO);
  ::dup2(out.fd[1], STDOUT_FILENO);
  ::dup2(err.fd[1], STDERR_FILENO);
  // Sockets and files of the gateway (listening socket, clients) must not leak into the skill.
  if (::close_range(STDERR_FILENO + 1, ~0U, 0) != 0)
    for (int fd = STDERR_FILENO + 1; fd < max_fd; ++fd) ::close(fd);
  if (::chdir(dir) != 0) ::_exit(126);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

// Writes to a pipe whose reader is gone without the process-wide SIGPIPE: the signal is held
// for this thread and a pending one consumed.
ssize_t write_without_sigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_only, previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  ssize_t n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    ::sigtimedwait(&pipe_only, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved;
  return n;
}

}  // namespace

Result<SkillRun> run_skill(const Skill& skill, const nlohmann::json& input, const SkillSandbox& sandbox) {
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) return make_error(ErrorCode::internal_error, "cannot create pipes for skill " + skill.name);
  std::vector<std::string> args = skill.command;
  args[0] = skill.executable.string();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto env_strings = scrubbed_environment(sandbox);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string dir = skill.dir.string();
  rlimit files{};
  int max_fd = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY ? static_cast<int>(std::min<rlim_t>(files.rlim_cur, 65536))
                                                                                             : 4096;
  std::string payload = input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  pid_t pid = ::fork();
  if (pid < 0) return make_error(ErrorCode::internal_error, "fork failed for skill " + skill.name);
  if (pid == 0) exec_child(in, out, err, max_fd, dir.c_str(), argv.data(), envp.data());
  ::setpgid(pid, pid);
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  // stdin is written inside the poll loop: a skill that does not read its input must not
  // block the gateway past the timeout.
  ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  ::fcntl(out.fd[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err.fd[0], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (payload.empty()) in.close_end(1);

  SkillRun run;
  bool err_truncated = false, out_open = true, err_open = true;
  auto deadline = Steady::now() + skill.timeout;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd fds[3] = {{out_open ? out.fd[0] : -1, POLLIN, 0}, {err_open ? err.fd[0] : -1, POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
    if (::poll(fds, 3, static_cast<int>(left)) < 0 && errno != EINTR) break;
    if (in.fd[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write_without_sigpipe(in.fd[1], payload.data() + written, payload.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == payload.size()) in.close_end(1);  // done, or the skill closed stdin
    }
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = drain(out.fd[0], run.output, sandbox.max_output_bytes, run.truncated);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = drain(err.fd[0], run.errors, 8192, err_truncated);
  }
  in.close_end(1);
  if (run.timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  if (!run.timed_out) {
    // Output closed: give the process until the deadline to exit, then kill it.
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Steady::now() >= deadline) {
        run.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      ::usleep(1000);
    }
  }
  if (run.timed_out) ::waitpid(pid, &status, 0);
  run.exit_code = run.timed_out ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace rt::gateway
