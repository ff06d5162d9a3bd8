#pragma once
// CPU and memory of a process, read from /proc (children) or getrusage (the driver itself).
#include <sys/types.h>

#include <cstdint>

namespace rt::bench {

// utime + stime from /proc/<pid>/stat, all threads, in ns (clock-tick resolution: sum runs).
int64_t process_cpu_ns(pid_t pid);
// The driver's own user + system time, all threads (getrusage RUSAGE_SELF).
int64_t self_cpu_ns();

// Context switches, voluntary and involuntary, summed over the threads of a process alive now
// (/proc/<pid>/task/*/status): a thread that has exited takes its count with it.
int64_t process_switches(pid_t pid);
// The driver's own, all threads (getrusage RUSAGE_SELF).
int64_t self_switches();

struct Memory {
  int64_t rss_kib = 0;   // VmRSS
  int64_t anon_kib = 0;  // RssAnon: private memory, what the process itself costs
  int64_t hwm_kib = 0;   // VmHWM: peak RSS
  int64_t pss_kib = 0;   // Pss (smaps_rollup): shared library pages divided among their users
};
Memory memory_of(pid_t pid);

// CPU of one process over a window: construct at the start, read at the end.
class CpuWindow {
 public:
  explicit CpuWindow(pid_t pid) : pid_(pid), start_(process_cpu_ns(pid)) {}
  int64_t elapsed_ns() const { return process_cpu_ns(pid_) - start_; }

 private:
  pid_t pid_;
  int64_t start_;
};

// Context switches of one process over a window, the same way.
class SwitchWindow {
 public:
  explicit SwitchWindow(pid_t pid) : pid_(pid), start_(process_switches(pid)) {}
  int64_t elapsed() const { return process_switches(pid_) - start_; }

 private:
  pid_t pid_;
  int64_t start_;
};

}  // namespace rt::bench
