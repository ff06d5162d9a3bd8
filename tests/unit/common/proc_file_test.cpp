// /proc files read without exceptions, also when their process is gone between open and read.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roundtable/common/proc_file.hpp"

namespace rt {
namespace {

TEST(ProcFile, ReadsAWholeFileUnderProc) {
  auto stat = read_proc_file("/proc/self/stat");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->rfind(std::to_string(::getpid()) + " (", 0), 0u) << *stat;
}

TEST(ProcFile, AMissingFileIsNullopt) { EXPECT_FALSE(read_proc_file("/proc/0/stat")); }

TEST(ProcFile, AFileLargerThanTheCapIsNullopt) {
  EXPECT_FALSE(read_proc_file("/proc/self/stat", 4));
  EXPECT_TRUE(read_proc_file("/proc/self/stat"));
}

// The race a skill's exit makes: /proc/<pid>/stat opened while the process lived, read after it
// was reaped. read(2) fails (ESRCH); through std::ifstream this threw out of an HTTP handler.
TEST(ProcFile, AProcessReapedBetweenOpenAndReadIsNulloptNotAnException) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  int fd = ::open(("/proc/" + std::to_string(child) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::optional<std::string> read;
  EXPECT_NO_THROW(read = read_to_end(fd));
  EXPECT_FALSE(read);
  ::close(fd);
}

}  // namespace
}  // namespace rt
