// The command table and the usage rules, without a NATS server: every failure here happens
// before the CLI connects.
#include <gtest/gtest.h>

#include <set>

#include "roundtable/cli/cli.hpp"

namespace rt::cli {
namespace {

struct Outcome {
  int exit_code;
  std::string out, err;
};

Outcome run_cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), "roundtable");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  env.push_back("NATS_URL=nats://127.0.0.1:1");  // nobody there: a test that connects fails loudly
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int code = run(static_cast<int>(args.size()), argv.data(), envp.data());
  auto out = ::testing::internal::GetCapturedStdout();
  auto err = ::testing::internal::GetCapturedStderr();
  return {code, out, err};
}

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(Commands, TableHasEveryCommandOnceWithItsUsage) {
  std::set<std::string> names;
  for (const auto& c : commands()) {
    std::string words;
    for (const auto& w : c.words) words += (words.empty() ? "" : " ") + w;
    EXPECT_TRUE(names.insert(words).second) << words;
    EXPECT_EQ(c.usage.rfind("usage: roundtable " + words, 0), 0u) << c.usage;
    EXPECT_FALSE(c.summary.empty()) << words;
    EXPECT_TRUE(c.run) << words;
  }
  for (const char* expected : {"streams apply", "ask", "fanout", "watch", "knights", "knight new"}) EXPECT_TRUE(names.count(expected)) << expected;
}

TEST(Commands, HelpOnEveryCommandPrintsItsUsageAndExitsZero) {
  for (const auto& c : commands()) {
    auto args = c.words;
    args.push_back("--help");
    auto outcome = run_cli(args);
    EXPECT_EQ(outcome.exit_code, 0) << args[0];
    EXPECT_EQ(outcome.out, c.usage);
  }
  auto overview = run_cli({"--help"});
  EXPECT_EQ(overview.exit_code, 0);
  for (const auto& c : commands()) EXPECT_NE(overview.out.find(c.summary), std::string::npos) << c.summary;
}

TEST(Commands, BadUsageExitsTwoWithOneLineNamingTheProblem) {
  struct Case {
    std::vector<std::string> args;
    const char* fragment;
  };
  const std::vector<Case> cases{
      {{}, "usage: roundtable <command>"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"streams"}, "unknown command 'streams'"},
      {{"streams", "apply", "extra"}, "unexpected argument 'extra'"},
      {{"streams", "apply", "--replicas", "0"}, "REPLICAS"},
      {{"streams", "apply", "--replicas", "many"}, "REPLICAS"},
      {{"ask"}, "ask needs exactly one <domain.action>"},
      {{"ask", "a.b", "c.d"}, "ask needs exactly one"},
      {{"ask", "security"}, "task 'security' is not <domain>.<action>"},
      {{"ask", "security.brief.ing"}, "is not <domain>.<action>"},
      {{"ask", "security.briefing", "--priority", "urgent"}, "PRIORITY"},
      {{"ask", "security.briefing", "--params", "[1]"}, "PARAMS"},
      {{"ask", "security.briefing", "--params", "{broken"}, "PARAMS"},
      {{"ask", "security.briefing", "--wait", "soon"}, "WAIT"},
      {{"ask", "security.briefing", "--fleet", "fleet.a"}, "FLEET"},
      {{"ask", "security.briefing", "--from", "Tim"}, "FROM"},
      {{"ask", "security.briefing", "--bogus", "1"}, "unknown flag --bogus"},
      {{"ask", "security.briefing", "--params"}, "needs a value"},
      {{"fanout"}, "fanout needs exactly one tasks.yaml"},
      {{"fanout", "/nonexistent/tasks.yaml"}, "cannot read /nonexistent/tasks.yaml"},
      {{"watch", "now"}, "unexpected argument 'now'"},
      {{"knights", "--stale-after", "x"}, "STALE_AFTER"},
      {{"knight", "new"}, "knight new needs exactly one <name>"},
      {{"knight", "new", "bedivere"}, "DOMAIN"},
      {{"knight", "new", "Bad.Name", "--domain", "garden"}, "not an identifier"},
      {{"knight", "new", "bedivere", "--domain", "gar.den"}, "DOMAIN"},
  };
  for (const auto& c : cases) {
    auto outcome = run_cli(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(outcome.exit_code, 2) << joined << "\n" << outcome.err;
    EXPECT_NE(outcome.err.find(c.fragment), std::string::npos) << joined << "\n" << outcome.err;
    if (!c.args.empty()) {
      EXPECT_EQ(lines(outcome.err), 1u) << joined << "\n" << outcome.err;
    }
  }
}

TEST(Commands, NoServerIsExitOneNamingTheUrl) {
  auto outcome = run_cli({"streams", "apply"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.err.find("cannot reach NATS at nats://127.0.0.1:1"), std::string::npos) << outcome.err;
}

TEST(Commands, OnlyContractSettingsComeFromTheEnvironment) {
  // A WAIT or PRIORITY in the user's environment is not a flag: ask would refuse these values.
  auto ask = run_cli({"ask", "security.briefing"}, {"PRIORITY=urgent", "WAIT=soon", "PARAMS=[1]"});
  EXPECT_EQ(ask.exit_code, 1) << "got past the flags to the connection: " << ask.err;
  EXPECT_NE(ask.err.find("cannot reach NATS"), std::string::npos) << ask.err;
  // FLEET_ID is a contract setting: it is read, and checked.
  auto fleet = run_cli({"ask", "security.briefing"}, {"FLEET_ID=bad.fleet"});
  EXPECT_EQ(fleet.exit_code, 2) << fleet.err;
  EXPECT_NE(fleet.err.find("FLEET_ID"), std::string::npos) << fleet.err;
  // STREAM_REPLICAS is one too.
  auto replicas = run_cli({"streams", "apply"}, {"STREAM_REPLICAS=0"});
  EXPECT_EQ(replicas.exit_code, 2) << replicas.err;
}

}  // namespace
}  // namespace rt::cli
