#include "roundtable/gateway/skill_runner.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "roundtable/gateway/skill_cage.hpp"
#include "roundtable/gateway/skill_processes.hpp"

namespace rt::gateway {
namespace {
constexpr int64_t kCancelPollMs = 100;  // how soon a running skill notices its task was cancelled

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

// Everything the child applies to itself before exec, computed in the parent (the child may
// only make async-signal-safe calls).
struct ChildSetup {
  const char* dir = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int max_fd = 4096;
  const std::vector<int>* cage_fds = nullptr;
  std::vector<std::pair<int, rlimit>> limits;
};

// Never above the gateway's own hard limit: raising a hard limit needs privilege, and a
// refused setrlimit would keep the skill from starting.
rlimit within_hard_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit current{};
  if (::getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY) {
    hard = std::min(hard, current.rlim_max);
    soft = std::min(soft, hard);
  }
  return {soft, hard};
}

std::vector<std::pair<int, rlimit>> resource_limits(const SkillLimits& limits) {
  auto exact = [](int resource, uint64_t value) { return std::pair{resource, within_hard_limit(resource, value, value)}; };
  // RLIMIT_NPROC counts every task of the real uid, the gateway's threads and other skills
  // included: allow what runs now plus the skill's own share. Root ignores it (the cgroup or
  // the tree kill is the defence there).
  uint64_t nproc = tasks_of_user(::getuid()) + limits.processes;
  return {exact(RLIMIT_AS, limits.memory_mb << 20),
          // SIGXCPU at the limit, SIGKILL a second later for a skill that catches it.
          {RLIMIT_CPU, within_hard_limit(RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)},
          exact(RLIMIT_NPROC, nproc),
          exact(RLIMIT_FSIZE, limits.file_size_mb << 20),
          exact(RLIMIT_CORE, 0)};
}

// Root skills (CI, a dev machine) would otherwise hold CAP_SYS_PTRACE and read the gateway's
// memory despite it being non-dumpable: empty the bounding set (so exec grants nothing) and
// every capability set.
void drop_capabilities() {
  for (int cap = 0; cap < 64; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  ::syscall(SYS_capset, &header, data);
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const Pipe& in, const Pipe& out, const Pipe& err, const Pipe& execd, const Pipe& go_ahead,
                             const ChildSetup& setup) {
  ::setpgid(0, 0);  // its own process group, so a timeout kills its children too
  // Into the cage before anything else runs: whatever it starts from now on stays inside.
  for (int fd : *setup.cage_fds) {
    ssize_t joined = ::write(fd, "0", 1);  // a refusal leaves the tree walk as the fallback
    (void)joined;
  }
  // The gateway blocks SIGTERM/SIGINT for its signal thread and ignores SIGPIPE; a skill
  // starts with neither (both survive exec otherwise).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGXCPU, SIGXFSZ}) ::signal(sig, SIG_DFL);
  ::dup2(in.fd[0], STDIN_FILENO);
  ::dup2(out.fd[1], STDOUT_FILENO);
  ::dup2(err.fd[1], STDERR_FILENO);
  // The exec notice stays open (as fd 3, close-on-exec) until exec closes it.
  constexpr int kExecNotice = STDERR_FILENO + 1;
  if (execd.fd[1] != kExecNotice && ::dup3(execd.fd[1], kExecNotice, O_CLOEXEC) != kExecNotice) ::_exit(126);
  // rt-skill-start (argv[0] when the go-ahead pipe is open) reads its go-ahead from fd 4, which
  // stays open across its exec.
  constexpr int kGoAhead = kExecNotice + 1;
  const bool through_start_program = go_ahead.fd[0] >= 0;
  if (through_start_program && (::dup2(go_ahead.fd[0], kGoAhead) != kGoAhead || ::fcntl(kGoAhead, F_SETFD, 0) != 0)) ::_exit(126);
  int first_to_close = through_start_program ? kGoAhead + 1 : kExecNotice + 1;
  // Sockets and files of the gateway (listening socket, clients) must not leak into the skill.
  if (::close_range(first_to_close, ~0U, 0) != 0)
    for (int fd = first_to_close; fd < setup.max_fd; ++fd) ::close(fd);
  if (::chdir(setup.dir) != 0) ::_exit(126);
  for (const auto& [resource, limit] : setup.limits)
    if (::setrlimit(resource, &limit) != 0) ::_exit(126);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(126);
  drop_capabilities();
  ::execve(setup.argv[0], setup.argv, setup.envp);
  ::_exit(127);
}

// Waits until the child has exec'd (or failed to), when exec closes the notice pipe. Then,
// its /proc files belonging to its user again (the gateway's child was non-dumpable until
// exec), it is made the OOM killer's first choice: under the pod's memory limit, shared with
// the gateway, the skill goes, not the gateway. rt-skill-start, when it is what was exec'd,
// is then let go on to exec the skill.
void after_exec(pid_t pid, const Pipe& execd, Pipe& go_ahead) {
  char byte;
  while (::read(execd.fd[0], &byte, 1) < 0 && errno == EINTR) {
  }
  int oom = ::open(("/proc/" + std::to_string(pid) + "/oom_score_adj").c_str(), O_WRONLY | O_CLOEXEC);
  if (oom >= 0) {
    ssize_t adjusted = ::write(oom, "1000", 4);
    (void)adjusted;
    ::close(oom);
  }
  if (go_ahead.fd[1] >= 0) write_without_sigpipe(go_ahead.fd[1], "1", 1);  // a child that failed to exec is gone: no SIGPIPE
  go_ahead.close_end(1);
}

// True once the process has exited; it stays unreaped (a zombie), so its pid stays ours.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// SIGKILL for the skill and everything it started: its process group, its cage, and (while
// the skill still runs, so the ancestry is intact) its process tree. Returns the pids killed.
std::vector<pid_t> kill_everything(pid_t pid, const SkillCage& cage) {
  ::kill(-pid, SIGKILL);
  std::vector<pid_t> killed = cage.kill_all();
  for (int round = 0; round < 1000; ++round) {
    auto tree = process_tree(pid);
    if (tree.empty()) break;
    for (pid_t member : tree) ::kill(member, SIGKILL);
    killed.insert(killed.end(), tree.begin(), tree.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return killed;
}

// Nothing a skill started outlives its run: leftovers in its cage, and orphans adopted by the
// gateway (its only way to find them without a cage), are killed and reaped, so none is left
// even as a zombie.
void kill_leftovers(const SkillCage& cage, SkillProcesses& processes, std::vector<pid_t> killed) {
  auto in_cage = cage.kill_all();
  killed.insert(killed.end(), in_cage.begin(), in_cage.end());
  processes.sweep(!cage.active());
  processes.reap(killed);
}

std::string limit_reached(int status, const SkillLimits& limits) {
  if (!WIFSIGNALED(status)) return "";
  switch (WTERMSIG(status)) {
    case SIGXCPU:
      return "\n[killed by SIGXCPU: the CPU time limit of " + std::to_string(limits.cpu_seconds) + " s was reached]";
    case SIGXFSZ:
      return "\n[killed by SIGXFSZ: the file size limit of " + std::to_string(limits.file_size_mb) + " MiB was reached]";
    case SIGSEGV:
    case SIGBUS:
    case SIGABRT:
      return "\n[killed by signal " + std::to_string(WTERMSIG(status)) + "; its memory limit is " + std::to_string(limits.memory_mb) + " MiB]";
    default:
      return "";
  }
}

}  // namespace

std::string find_skill_start_program() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  auto program = self.parent_path() / "rt-skill-start";
  return ::access(program.c_str(), X_OK) == 0 ? program.string() : "";
}

Result<SkillRun> run_skill(const Skill& skill, const nlohmann::json& input, const SkillSandbox& sandbox,
                           const std::function<bool()>& canceled) {
  Pipe in, out, err, execd, go_ahead;
  bool through_start_program = !sandbox.start_program.empty();
  if (!in.open() || !out.open() || !err.open() || !execd.open() || (through_start_program && !go_ahead.open()))
    return make_error(ErrorCode::internal_error, "cannot create pipes for skill " + skill.name);
  std::vector<std::string> args = skill.command;
  args[0] = skill.executable.string();
  if (through_start_program) args.insert(args.begin(), sandbox.start_program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto env_strings = scrubbed_environment(sandbox);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string dir = skill.dir.string();
  rlimit files{};
  std::string payload = input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto cage = SkillCage::create("rt-skill-" + std::to_string(::getpid()) + "-" + skill.name + "-" +
                                    std::to_string(Steady::now().time_since_epoch().count()),
                                skill.limits.processes);
  ChildSetup setup;
  setup.dir = dir.c_str();
  setup.argv = argv.data();
  setup.envp = envp.data();
  setup.max_fd = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY ? static_cast<int>(std::min<rlim_t>(files.rlim_cur, 65536)) : 4096;
  setup.cage_fds = &cage.join_fds();
  setup.limits = resource_limits(skill.limits);

  SkillProcesses& processes = SkillProcesses::of_this_process();
  pid_t pid = processes.fork_skill([&] { exec_child(in, out, err, execd, go_ahead, setup); });
  if (pid < 0) return make_error(ErrorCode::internal_error, "fork failed for skill " + skill.name);
  ::setpgid(pid, pid);
  in.close_end(0);
  execd.close_end(1);
  go_ahead.close_end(0);
  after_exec(pid, execd, go_ahead);
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
  run.containment = cage.kind();
  bool err_truncated = false, out_open = true, err_open = true;
  auto deadline = Steady::now() + skill.timeout;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    if (canceled && canceled()) {
      run.cancelled = true;
      break;
    }
    if (canceled) left = std::min<int64_t>(left, kCancelPollMs);  // a cancel is noticed within this
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
  if (!run.timed_out && !run.cancelled) {
    // Output closed: give the process until the deadline to exit, then kill it.
    while (!has_exited(pid)) {
      if (Steady::now() >= deadline) {
        run.timed_out = true;
        break;
      }
      if (canceled && canceled()) {
        run.cancelled = true;
        break;
      }
      ::usleep(1000);
    }
  }
  std::vector<pid_t> killed;
  if (run.timed_out || run.cancelled) killed = kill_everything(pid, cage);
  // Still unreaped, the skill's pid cannot be reused: its process group is still its own.
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  processes.release(pid);
  kill_leftovers(cage, processes, std::move(killed));
  run.exit_code = run.timed_out || run.cancelled ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (!run.timed_out && !run.cancelled) run.errors += limit_reached(status, skill.limits);
  return run;
}

}  // namespace rt::gateway
