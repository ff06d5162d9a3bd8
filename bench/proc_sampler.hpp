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

// A counter of one process over a window: construct at the start, read at the end.
template <int64_t (*Read)(pid_t)>
class ProcessWindow {
 public:
  explicit ProcessWindow(pid_t pid) : pid_(pid), start_(Read(pid)) {}
  int64_t elapsed() const { return Read(pid_) - start_; }

 private:
  pid_t pid_;
  int64_t start_;
};
using CpuWindow = ProcessWindow<process_cpu_ns>;  // ns
using SwitchWindow = ProcessWindow<process_switches>;

}  // namespace rt::bench
