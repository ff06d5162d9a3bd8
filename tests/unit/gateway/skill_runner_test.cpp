// The skill sandbox: argv without a shell, JSON on stdin, timeout, output cap, clean
// environment, no inherited descriptors or signal state.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures/await.hpp"
#include "fixtures/process.hpp"
#include "roundtable/gateway/skill_runner.hpp"
#include "roundtable/gateway/tools.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SkillRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { workspace_ = fs::canonical(testing::make_temp_dir("rt-skill-unit")); }
  void TearDown() override { fs::remove_all(workspace_); }

  Skill skill(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    Skill s;
    s.name = "probe";
    s.dir = workspace_ / "skills/probe";
    fs::create_directories(s.dir);
    std::ofstream(s.dir / "run.sh") << "#!/bin/sh\n" << script;
    fs::permissions(s.dir / "run.sh", fs::perms::owner_all);
    s.command = {"./run.sh"};
    s.executable = s.dir / "run.sh";
    s.timeout = timeout;
    return s;
  }
  SkillRun run(const Skill& s, const json& input = json::object(), size_t cap = 64 * 1024) {
    SkillSandbox sandbox;
    sandbox.max_output_bytes = cap;
    sandbox.home = workspace_.string();
    sandbox.extra_env = {{"FLEET_ID", "fleet-a"}};
    auto result = run_skill(s, input, sandbox);
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : SkillRun{};
  }
  fs::path workspace_;
};

TEST_F(SkillRunnerTest, InputArrivesAsJsonOnStdinAndShellMetacharactersAreInert) {
  std::string hostile = "$(touch pwned1); `touch pwned2` | touch pwned3 && touch pwned4; rm -rf ~ > pwned5 'x\" \\n";
  json input = {{"text", hostile}, {"n", 3}};
  auto result = run(skill("cat\n"), input);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(json::parse(result.output), input) << "the input comes through byte for byte, as data";
  for (const auto& entry : fs::recursive_directory_iterator(workspace_))
    EXPECT_EQ(entry.path().filename().string().find("pwned"), std::string::npos) << entry.path();
  EXPECT_TRUE(fs::exists(workspace_ / "skills/probe/run.sh"));
}

TEST_F(SkillRunnerTest, RunsInItsOwnFolderWithAScrubbedEnvironment) {
  ::setenv("RT_UNIT_SECRET", "do-not-leak", 1);
  auto result = run(skill("pwd\nenv | sort\n"));
  ::unsetenv("RT_UNIT_SECRET");
  EXPECT_EQ(result.output.substr(0, result.output.find('\n')), (workspace_ / "skills/probe").string());
  EXPECT_EQ(result.output.find("do-not-leak"), std::string::npos);
  EXPECT_NE(result.output.find("HOME=" + workspace_.string()), std::string::npos);
  EXPECT_NE(result.output.find("FLEET_ID=fleet-a"), std::string::npos);
  EXPECT_NE(result.output.find("PATH=/usr/local/bin:/usr/bin:/bin"), std::string::npos);
}

TEST_F(SkillRunnerTest, ARunawaySkillAndItsChildrenAreKilledAtTheTimeout) {
  auto result = run(skill("sleep 30 &\necho $! > child.pid\nwait\n", std::chrono::milliseconds(300)));
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  std::ifstream pid_file(workspace_ / "skills/probe/child.pid");
  int child = 0;
  pid_file >> child;
  ASSERT_GT(child, 0);
  EXPECT_TRUE(testing::eventually([&] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, comm, state;
    return !(stat >> pid >> comm >> state) || state == "Z";
  }, std::chrono::seconds(5)))
      << "the skill's own child is killed with it (process group)";
}

TEST_F(SkillRunnerTest, ASkillThatNeverReadsAHugeInputStillEndsAtItsTimeout) {
  json input = {{"blob", std::string(4 << 20, 'x')}};  // far more than a pipe holds
  auto result = run(skill("sleep 30\n", std::chrono::milliseconds(300)), input);
  EXPECT_TRUE(result.timed_out);
}

TEST_F(SkillRunnerTest, ASkillClosingItsInputEarlyIsNoProblem) {
  json input = {{"blob", std::string(1 << 20, 'x')}};
  auto result = run(skill("exec 0<&-\necho fine\n"), input);  // the write side sees EPIPE, not SIGPIPE
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "fine\n");
}

TEST_F(SkillRunnerTest, OversizedOutputIsCappedAndTheSkillStillFinishes) {
  auto result = run(skill("head -c 1000000 /dev/zero | tr '\\0' 'y'\necho done >&2\n"), json::object(), 1024);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_FALSE(result.timed_out);
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.output, std::string(1024, 'y'));
  EXPECT_EQ(result.errors, "done\n");
}

TEST_F(SkillRunnerTest, FailuresReportTheExitCodeAndStderr) {
  auto result = run(skill("echo broken >&2\nexit 3\n"));
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.errors, "broken\n");
}

TEST_F(SkillRunnerTest, GatewayDescriptorsDoNotLeakIntoTheSkill) {
  int fd = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, like a socket some library opened
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 77), 77);
  auto result = run(skill("if [ -e /proc/$$/fd/77 ]; then echo leaked; else echo clean; fi\n"));
  ::close(77);
  ::close(fd);
  EXPECT_EQ(result.output, "clean\n");
}

TEST_F(SkillRunnerTest, SkillsStartWithNoBlockedOrIgnoredSignals) {
  sigset_t term, previous;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, &previous);  // as the gateway's signal thread set-up does
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  auto result = run(skill("exec grep -E '^Sig(Blk|Ign)' /proc/self/status\n"));
  ::signal(SIGPIPE, old_pipe);
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  EXPECT_NE(result.output.find("SigBlk:\t0000000000000000"), std::string::npos) << result.output;
  auto ign = result.output.find("SigIgn:\t");
  ASSERT_NE(ign, std::string::npos) << result.output;
  unsigned long long ignored = std::stoull(result.output.substr(ign + 8, 16), nullptr, 16);
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0u) << "SIGPIPE is back to its default: " << result.output;
}

TEST_F(SkillRunnerTest, TheTaskDeadlineCutsASkillShort) {
  ToolDeps deps;
  deps.sandbox.home = workspace_.string();
  auto tool = make_skill_tool(skill("touch started\nsleep 30\n", std::chrono::seconds(30)), deps);
  ToolContext context;
  context.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  auto result = tool->run(json::object(), context);
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(result.content.find("deadline"), std::string::npos) << result.content;
  fs::remove(workspace_ / "skills/probe/started");
  context.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  result = tool->run(json::object(), context);
  EXPECT_TRUE(result.is_error);
  EXPECT_FALSE(fs::exists(workspace_ / "skills/probe/started")) << "past the deadline the skill is not started";
}

}  // namespace
}  // namespace rt::gateway
