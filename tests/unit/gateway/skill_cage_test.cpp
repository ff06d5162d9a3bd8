// A skill run's cgroup and the /proc walk behind the fallback: found, limited, killed, removed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures/sanitizers.hpp"
#include "roundtable/gateway/skill_cage.hpp"
#include "roundtable/gateway/skill_processes.hpp"

namespace rt::gateway {
namespace {

// A child that joins the cage (as the skill runner's child does) and forks a grandchild in a
// session of its own; both sleep until killed.
pid_t start_caged_pair(const SkillCage& cage, int ready_fd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (int fd : cage.join_fds()) (void)!::write(fd, "0", 1);
    if (::fork() == 0) {
      ::setsid();
      (void)!::write(ready_fd, "g", 1);
      ::pause();
      ::_exit(0);
    }
    (void)!::write(ready_fd, "c", 1);
    ::pause();
    ::_exit(0);
  }
  return pid;
}

TEST(SkillCage, MembersAreEveryProcessOfTheRunAndKillAllEndsThem) {
  auto cage = SkillCage::create("rt-unit-cage-" + std::to_string(::getpid()), 8);
  if (!cage.active()) GTEST_SKIP() << "no writable cgroup here (a pod, or not root): the process tree is the fallback";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = start_caged_pair(cage, ready[1]);
  char byte[2];
  ASSERT_EQ(::read(ready[0], byte, 1), 1);
  ASSERT_EQ(::read(ready[0], byte + 1, 1), 1);
  EXPECT_EQ(cage.members().size(), 2u) << "the setsid'd grandchild is still a member";
  auto killed = cage.kill_all();
  EXPECT_EQ(killed.size(), 2u);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(cage.members().empty());
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(SkillCage, ThePidsControllerCapsProcessesWhereItIsThere) {
  auto cage = SkillCage::create("rt-unit-pids-" + std::to_string(::getpid()), 3);
  if (!cage.limits_processes()) GTEST_SKIP() << "no pids controller in a writable cgroup here (" << cage.kind() << ")";
  // A sanitizer's runtime threads count against pids.max too, so the exact count means nothing there.
  if (rt::testing::kUnderSanitizer) GTEST_SKIP() << "the sanitizer's own threads count against pids.max";
  pid_t child = ::fork();
  if (child == 0) {
    for (int fd : cage.join_fds()) (void)!::write(fd, "0", 1);
    int made = 0;
    for (int i = 0; i < 10; ++i) {
      pid_t grandchild = ::fork();
      if (grandchild == 0) {
        ::pause();
        ::_exit(0);
      }
      if (grandchild > 0) ++made;
    }
    ::_exit(made);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << "pids.max 3 = the child and two more";
  cage.kill_all();
}

TEST(SkillCage, TheCgroupIsRemovedWithTheCage) {
  std::vector<std::string> directories;
  {
    auto cage = SkillCage::create("rt-unit-gone-" + std::to_string(::getpid()), 4);
    if (!cage.active()) GTEST_SKIP() << "no writable cgroup here";
    directories = cage.directories();
    for (const auto& dir : directories) EXPECT_TRUE(std::filesystem::exists(dir + "/cgroup.procs")) << dir;
  }
  for (const auto& dir : directories) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST(ProcessTree, ListsTheLiveDescendantsOfAProcess) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  SkillCage none;
  pid_t child = start_caged_pair(none, ready[1]);
  char byte[2];
  ASSERT_EQ(::read(ready[0], byte, 1), 1);
  ASSERT_EQ(::read(ready[0], byte + 1, 1), 1);
  auto tree = process_tree(child);
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree.front(), child);
  for (pid_t pid : tree) ::kill(pid, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(process_tree(child).empty());
  EXPECT_GE(tasks_of_user(::getuid()), 1u);
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace rt::gateway
