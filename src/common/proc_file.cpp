#include "roundtable/common/proc_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace rt {

std::optional<std::string> read_to_end(int fd, size_t max_bytes) {
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > max_bytes) return std::nullopt;
    text.append(chunk, static_cast<size_t>(n));
  }
}

std::optional<std::string> read_proc_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto text = read_to_end(fd, max_bytes);
  ::close(fd);
  return text;
}

}  // namespace rt
