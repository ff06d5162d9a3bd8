#include "proc_sampler.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_error.hpp"

namespace rt::bench {
namespace {

std::string proc_file(pid_t pid, const char* name) { return "/proc/" + std::to_string(pid) + "/" + name; }

// The "<Field>:   123 kB" (or plain count) value of a /proc status-like file; 0 when absent.
int64_t kib_field(const std::string& text, const std::string& field) {
  auto at = text.find("\n" + field + ":");
  if (at == std::string::npos) at = text.rfind(field + ":", 0) == 0 ? 0 : std::string::npos;
  else at += 1;
  if (at == std::string::npos) return 0;
  return std::stoll(text.substr(at + field.size() + 1));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw BenchError("cannot read " + path + " (the process is gone?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int64_t process_cpu_ns(pid_t pid) {
  std::string stat = read_all(proc_file(pid, "stat"));
  auto close = stat.rfind(')');
  if (close == std::string::npos) throw BenchError("unreadable /proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
  int64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  static const int64_t ns_per_tick = 1'000'000'000 / ::sysconf(_SC_CLK_TCK);
  return (utime + stime) * ns_per_tick;
}

int64_t self_cpu_ns() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) { return static_cast<int64_t>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1000; };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

int64_t process_switches(pid_t pid) {
  int64_t total = 0;
  std::error_code error;
  for (const auto& thread : std::filesystem::directory_iterator(proc_file(pid, "task"), error)) {
    std::ifstream in(thread.path() / "status");  // a thread may exit meanwhile: then it counts 0
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string status = ss.str();
    total += kib_field(status, "voluntary_ctxt_switches") + kib_field(status, "nonvoluntary_ctxt_switches");
  }
  if (error) throw BenchError("cannot list the threads of " + std::to_string(pid) + " (the process is gone?)");
  return total;
}

int64_t self_switches() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_nvcsw + usage.ru_nivcsw;
}

Memory memory_of(pid_t pid) {
  std::string status = read_all(proc_file(pid, "status"));
  Memory m;
  m.rss_kib = kib_field(status, "VmRSS");
  m.anon_kib = kib_field(status, "RssAnon");
  m.hwm_kib = kib_field(status, "VmHWM");
  m.pss_kib = kib_field(read_all(proc_file(pid, "smaps_rollup")), "Pss");
  return m;
}

}  // namespace rt::bench
