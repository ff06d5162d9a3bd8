#include "roundtable/gateway/skill_processes.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "roundtable/common/proc_file.hpp"

namespace rt::gateway {
namespace {

struct ProcessEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';
};

std::vector<pid_t> numeric_entries(const char* dir) {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir(dir);
  if (!proc) return pids;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  return pids;
}

// One line of /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parens.
bool read_entry(pid_t pid, ProcessEntry& entry) {
  auto read = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  if (!read) return false;  // gone since /proc was listed
  const std::string& stat = *read;
  auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 4 > stat.size()) return false;
  std::istringstream rest(stat.substr(paren + 2));
  entry.pid = pid;
  return static_cast<bool>(rest >> entry.state >> entry.ppid);
}

std::vector<ProcessEntry> process_table() {
  std::vector<ProcessEntry> table;
  for (pid_t pid : numeric_entries("/proc")) {
    ProcessEntry entry;
    if (read_entry(pid, entry)) table.push_back(entry);
  }
  return table;
}

bool alive(const ProcessEntry& entry) { return entry.state != 'Z' && entry.state != 'X'; }

std::vector<pid_t> tree_in(const std::vector<ProcessEntry>& table, const std::vector<pid_t>& roots) {
  std::multimap<pid_t, const ProcessEntry*> children;
  for (const auto& entry : table) children.emplace(entry.ppid, &entry);
  std::vector<pid_t> out, queue = roots;
  while (!queue.empty()) {
    pid_t pid = queue.back();
    queue.pop_back();
    if (std::find(out.begin(), out.end(), pid) != out.end()) continue;
    out.push_back(pid);
    auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) queue.push_back(it->second->pid);
  }
  return out;
}

}  // namespace

bool adopt_orphaned_skill_processes() { return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

bool is_subreaper() {
  int flag = 0;
  return ::prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0) == 0 && flag != 0;
}

std::vector<pid_t> process_tree(pid_t root) {
  auto table = process_table();
  std::vector<pid_t> out;
  for (pid_t pid : tree_in(table, {root})) {
    auto entry = std::find_if(table.begin(), table.end(), [&](const ProcessEntry& e) { return e.pid == pid; });
    if (entry != table.end() && alive(*entry)) out.push_back(pid);
  }
  return out;
}

bool process_alive(pid_t pid) {
  ProcessEntry entry;
  return read_entry(pid, entry) && alive(entry);
}

uint64_t tasks_of_user(uid_t uid) {
  uint64_t tasks = 0;
  for (pid_t pid : numeric_entries("/proc")) {
    auto status = read_proc_file("/proc/" + std::to_string(pid) + "/status");
    if (!status) continue;  // gone since /proc was listed
    std::istringstream in(*status);
    long real_uid = -1, threads = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Uid:", 0) == 0) real_uid = std::strtol(line.c_str() + 4, nullptr, 10);
      if (line.rfind("Threads:", 0) == 0) threads = std::strtol(line.c_str() + 8, nullptr, 10);
    }
    if (real_uid == static_cast<long>(uid)) tasks += static_cast<uint64_t>(std::max(threads, 1L));
  }
  return tasks;
}

SkillProcesses& SkillProcesses::of_this_process() {
  static SkillProcesses processes;
  return processes;
}

pid_t SkillProcesses::fork_skill(const std::function<void()>& in_child) {
  std::lock_guard lock(mutex_);
  pid_t pid = ::fork();
  if (pid == 0) {
    in_child();
    ::_exit(127);
  }
  if (pid > 0) running_.insert(pid);
  return pid;
}

void SkillProcesses::release(pid_t pid) {
  std::lock_guard lock(mutex_);
  running_.erase(pid);
}

std::vector<pid_t> SkillProcesses::adopted_children() const {
  std::vector<pid_t> out;
  pid_t self = ::getpid();
  for (const auto& entry : process_table())
    if (entry.ppid == self && !running_.count(entry.pid)) out.push_back(entry.pid);
  return out;
}

void SkillProcesses::sweep(bool kill_orphans) {
  if (!is_subreaper()) return;
  std::lock_guard lock(mutex_);
  // Killing an orphan re-parents its own children to this process: go on until none is left
  // (bounded: a process that cannot die, stuck in the kernel, must not hang the gateway).
  for (int round = 0; round < 2000; ++round) {
    auto orphans = adopted_children();
    if (kill_orphans) {
      auto table = process_table();
      for (pid_t pid : tree_in(table, orphans)) ::kill(pid, SIGKILL);
    }
    size_t reaped = 0;
    for (pid_t pid : orphans) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) ++reaped;
    }
    // Without kill_orphans the live ones belong to a cage that another run will empty.
    if (reaped == orphans.size() || !kill_orphans) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void SkillProcesses::reap(const std::vector<pid_t>& killed) {
  if (!is_subreaper() || killed.empty()) return;
  std::lock_guard lock(mutex_);
  std::set<pid_t> waiting(killed.begin(), killed.end());
  for (int round = 0; round < 2000 && !waiting.empty(); ++round) {
    for (auto it = waiting.begin(); it != waiting.end();) {
      int status = 0;
      pid_t result = running_.count(*it) ? -1 : ::waitpid(*it, &status, WNOHANG);
      // Reaped now, or gone. Not yet our child: its killed parent has not finished dying.
      bool gone = result == *it || (result < 0 && errno == ECHILD && ::kill(*it, 0) != 0 && errno == ESRCH);
      if (gone || running_.count(*it)) it = waiting.erase(it);
      else ++it;
    }
    if (!waiting.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

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

}  // namespace rt::gateway
