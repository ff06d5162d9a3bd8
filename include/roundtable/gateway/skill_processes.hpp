#pragma once
// Every process a skill leaves behind is found, killed and reaped.
//
// The gateway is the child subreaper of its skills (adopt_orphaned_skill_processes, once in
// main): a process that escapes its skill's process group and session (setsid, double fork)
// and outlives its parent is re-parented to the gateway instead of to PID 1, where the
// gateway can still see it. The gateway then owes it a waitpid; SkillProcesses does that
// without ever reaping the main process of a running skill, whose exit status belongs to the
// thread that runs it.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <vector>

namespace rt::gateway {

// PR_SET_CHILD_SUBREAPER on this process; false when the kernel refuses.
bool adopt_orphaned_skill_processes();
// True when this process is a child subreaper (the gateway binary; not a unit test).
bool is_subreaper();

// pid and all its descendants alive now, from /proc (the fallback when there is no cgroup).
std::vector<pid_t> process_tree(pid_t root);
// pid exists and is neither a zombie nor dead, from /proc/<pid>/stat; false once it is gone.
bool process_alive(pid_t pid);
// Tasks (processes and threads) whose real uid is `uid`, the count RLIMIT_NPROC compares with.
uint64_t tasks_of_user(uid_t uid);
// write(2) to a child's pipe whose reader may be gone: EPIPE instead of the process-wide
// SIGPIPE (the signal is held for this thread and a pending one consumed).
ssize_t write_without_sigpipe(int fd, const char* data, size_t size);

class SkillProcesses {
 public:
  // One per process, on purpose: the children of a process and its subreaper role are the
  // process's, and a second registry would reap the skills the first one is waiting for.
  static SkillProcesses& of_this_process();

  // Runs fork() under the registry lock and registers the child, so a concurrent sweep never
  // reaps it. `in_child` runs in the child and must not return (it execs or _exits).
  pid_t fork_skill(const std::function<void()>& in_child);
  // After the runner has reaped its skill's main process.
  void release(pid_t pid);
  // In a subreaper only: kills every adopted orphan (a child of this process that is not the
  // main process of a running skill) with all its descendants when kill_orphans is set, then
  // reaps every such child that has exited.
  void sweep(bool kill_orphans);
  // In a subreaper only: waits (bounded) until each of these killed processes has been reaped,
  // by this process or by its own parent; never touches a running skill's main process.
  void reap(const std::vector<pid_t>& killed);

 private:
  std::vector<pid_t> adopted_children() const;  // caller holds mutex_
  std::mutex mutex_;
  std::set<pid_t> running_;
};

}  // namespace rt::gateway
