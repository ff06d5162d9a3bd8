#pragma once
// Files under /proc read whole with read(2), never through a std::ifstream: a process can exit
// between the open and the read, which then fails (ESRCH), and std::filebuf reports that by
// throwing through an istreambuf_iterator, out of whatever HTTP handler was asking.
#include <cstddef>
#include <optional>
#include <string>

namespace rt {

inline constexpr size_t kMaxProcFileBytes = 64 * 1024;

// nullopt when the file cannot be opened or read (the process is gone), or exceeds max_bytes.
std::optional<std::string> read_proc_file(const std::string& path, size_t max_bytes = kMaxProcFileBytes);
// The same for a descriptor already open; it stays open.
std::optional<std::string> read_to_end(int fd, size_t max_bytes = kMaxProcFileBytes);

}  // namespace rt
