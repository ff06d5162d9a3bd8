// roundtable streams apply against a real nats-server.
#include "cli_support.hpp"

namespace rt::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kStreams{"ROUNDTABLE_TASKS", "ROUNDTABLE_RESULTS", "ROUNDTABLE_EVENTS", "ROUNDTABLE_HEARTBEAT", "ROUNDTABLE_CANCELS"};

contract::StreamSpec spec_named(const std::string& name) {
  for (auto& spec : contract::contract_streams(1))
    if (spec.name == name) return spec;
  throw std::runtime_error("no stream " + name);
}

TEST(CliStreams, FirstRunCreatesAllFourThenTheSecondFindsThemUnchanged) {
  NatsServer nats;
  auto first = roundtable(nats, {"streams", "apply"});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  for (const auto& stream : kStreams) {
    auto line = line_with(first.output, stream);
    EXPECT_NE(line.find("created"), std::string::npos) << stream << " in:\n" << first.output;
  }
  EXPECT_EQ(occurrences(first.output, "\n"), 5u) << "one line per stream:\n" << first.output;

  auto second = roundtable(nats, {"streams", "apply"});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  for (const auto& stream : kStreams) EXPECT_NE(line_with(second.output, stream).find("unchanged"), std::string::npos) << second.output;
  EXPECT_EQ(occurrences(second.output, "unchanged"), 5u) << second.output;

  TestBus bus(nats.url());
  auto heartbeat = bus.js().stream_state("ROUNDTABLE_HEARTBEAT");
  ASSERT_TRUE(heartbeat.ok());
  EXPECT_EQ(heartbeat->storage, contract::Storage::memory);
  EXPECT_EQ(heartbeat->max_msgs_per_subject, 5);
}

TEST(CliStreams, AChangedStreamIsUpdatedAndTheDifferenceShown) {
  NatsServer nats;
  TestBus bus(nats.url());
  auto old = spec_named("ROUNDTABLE_RESULTS");
  old.max_age = 1h;
  ASSERT_TRUE(bus.js().apply_stream(old).ok());
  auto result = roundtable(nats, {"streams", "apply"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto line = line_with(result.output, "ROUNDTABLE_RESULTS");
  EXPECT_NE(line.find("updated"), std::string::npos) << result.output;
  EXPECT_NE(line.find("max_age 1h -> 168h"), std::string::npos) << line;
  EXPECT_EQ(bus.js().stream_state("ROUNDTABLE_RESULTS")->max_age, 7 * 24h);
  EXPECT_NE(line_with(result.output, "ROUNDTABLE_TASKS").find("created"), std::string::npos) << result.output;
}

TEST(CliStreams, WrongStorageIsAMismatchWithTheReasonAndExitOne) {
  NatsServer nats;
  TestBus bus(nats.url());
  auto wrong = spec_named("ROUNDTABLE_HEARTBEAT");
  wrong.storage = contract::Storage::file;
  ASSERT_TRUE(bus.js().apply_stream(wrong).ok());
  auto result = roundtable(nats, {"streams", "apply"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  auto line = line_with(result.output, "ROUNDTABLE_HEARTBEAT");
  EXPECT_NE(line.find("mismatch"), std::string::npos) << result.output;
  EXPECT_NE(line.find("storage file -> memory"), std::string::npos) << line;
  for (const char* other : {"ROUNDTABLE_TASKS", "ROUNDTABLE_RESULTS", "ROUNDTABLE_EVENTS"})
    EXPECT_NE(line_with(result.output, other).find("created"), std::string::npos) << "the others are still applied:\n" << result.output;
}

TEST(CliStreams, ReplicasBeyondTheServerAreAnErrorNotASilentSuccess) {
  NatsServer nats;
  // A single server cannot hold 3 replicas: the command must say so and fail.
  auto result = roundtable(nats, {"streams", "apply", "--replicas", "3"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("ROUNDTABLE_TASKS"), std::string::npos) << result.output;
}

TEST(CliStreams, CommandsOnAServerWithoutTheStreamsSayWhatToRun) {
  NatsServer nats;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"ask", "security.briefing", "--wait", "5s"}, std::vector<std::string>{"knights"}}) {
    auto result = roundtable(nats, args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << ": " << result.output;
    EXPECT_NE(result.output.find("run: roundtable streams apply"), std::string::npos) << args[0] << ": " << result.output;
  }
}

}  // namespace
}  // namespace rt::testing
