// rt-skill-start, the program each skill's process runs first (src/gateway/skill_start): it
// runs the skill only once the gateway says go on fd 4, and the skill does not inherit fd 4.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace rt::testing {
namespace {

struct Started {
  int exit_code = -1;
  std::string output;
};

// Runs rt-skill-start with `command`; `go_ahead` bytes are written to its fd 4, which is then closed.
Started run_start_program(const std::string& go_ahead, std::vector<std::string> command) {
  command.insert(command.begin(), std::string(RT_BIN_DIR) + "/rt-skill-start");
  std::vector<char*> argv;
  for (auto& arg : command) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int go[2], out[2];
  EXPECT_EQ(::pipe2(go, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, go[0], 4);
  pid_t pid = -1;
  char* no_env[] = {nullptr};
  EXPECT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), no_env), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(go[0]);
  ::close(out[1]);
  if (!go_ahead.empty()) {
    EXPECT_EQ(::write(go[1], go_ahead.data(), go_ahead.size()), static_cast<ssize_t>(go_ahead.size()));
  }
  ::close(go[1]);
  Started started;
  char buffer[256];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) started.output.append(buffer, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  started.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return started;
}

TEST(RtSkillStart, RunsTheSkillOnceTheGatewaySaysGo) {
  auto started = run_start_program("1", {"/bin/sh", "-c", "echo ran; [ -e /proc/self/fd/4 ] && echo fd4-leaked; exit 3"});
  EXPECT_EQ(started.output, "ran\n");
  EXPECT_EQ(started.exit_code, 3);
}

TEST(RtSkillStart, RunsNothingWhenTheGatewayGivesUp) {
  auto started = run_start_program("", {"/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(started.output, "");
  EXPECT_EQ(started.exit_code, 126);
}

TEST(RtSkillStart, ASkillThatCannotBeExecutedExitsAs127) {
  auto started = run_start_program("1", {"/nonexistent/skill"});
  EXPECT_EQ(started.exit_code, 127);
}

}  // namespace
}  // namespace rt::testing
