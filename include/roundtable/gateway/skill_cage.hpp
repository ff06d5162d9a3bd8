#pragma once
// A cgroup of its own for one skill run, where the gateway may create one (a writable cgroup v2
// tree, or the v1 pids hierarchy): every process the skill starts stays in it whatever it does
// (setsid, double fork), the pids controller caps how many there are at once (a fork bomb
// meets EAGAIN), and the end of the run kills them all. Without one (a pod's read-only
// /sys/fs/cgroup) the cage is empty and the runner falls back to walking the process tree.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rt::gateway {

class SkillCage {
 public:
  SkillCage() = default;
  // A fresh cgroup `name` below the gateway's own cgroup in each usable hierarchy, its pids.max
  // set to max_processes where the pids controller is there; an empty cage when none is usable.
  static SkillCage create(const std::string& name, uint64_t max_processes);
  ~SkillCage();
  SkillCage(const SkillCage&) = delete;
  SkillCage& operator=(const SkillCage&) = delete;
  SkillCage(SkillCage&& other) noexcept;
  SkillCage& operator=(SkillCage&& other) noexcept;

  bool active() const { return !groups_.empty(); }
  // True when the pids controller caps the number of processes (and threads).
  bool limits_processes() const { return limits_processes_; }
  // "cgroup v2", "cgroup v1 pids", both joined by " + ", or "none".
  std::string kind() const;
  // The cgroup directories, removed with the cage.
  std::vector<std::string> directories() const;
  // Open cgroup.procs descriptors: the child writes "0" to each between fork and exec, so it
  // is inside before it can start anything.
  const std::vector<int>& join_fds() const { return join_fds_; }
  // The processes in the cage now.
  std::vector<pid_t> members() const;
  // SIGKILLs every member until none is left alive (cgroup.kill where the kernel has it);
  // returns every pid it saw, for the reaper (an exited process leaves cgroup.procs at once).
  std::vector<pid_t> kill_all() const;

 private:
  struct Group {
    std::string dir;
    bool v2 = false;
  };
  void release();
  std::vector<Group> groups_;
  std::vector<int> join_fds_;
  bool limits_processes_ = false;
};

}  // namespace rt::gateway
