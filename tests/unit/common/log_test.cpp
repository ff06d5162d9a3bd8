#include "roundtable/common/log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace rt {
namespace {

// Runs `body` with stderr going to a file, and returns what was written.
std::string captured_stderr(const std::function<void()>& body) {
  auto path = std::filesystem::temp_directory_path() / ("rt-log-" + std::to_string(::getpid()) + ".txt");
  int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  body();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Logger, OneJsonObjectPerLineWithContextAndFields) {
  auto text = captured_stderr([] {
    LogSettings settings;
    settings.component = "bridge";
    settings.context = {{"agent", "galahad"}};
    Logger logger(settings);
    logger.info("task.completed", {{"task_id", "t-1"}, {"attempt", 2}});
    logger.debug("task.claimed", {{"task_id", "t-1"}});
  });
  auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  auto line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["event"], "task.completed");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["component"], "bridge");
  EXPECT_EQ(line["agent"], "galahad");
  EXPECT_EQ(line["attempt"], 2);
  EXPECT_TRUE(line["ts"].is_string());
}

TEST(Logger, LevelsFilterAndOffIsSilent) {
  auto text = captured_stderr([] {
    LogSettings warn;
    warn.level = "warn";
    Logger warn_only(warn);
    warn_only.info("dropped");
    warn_only.warn("kept.warn");
    warn_only.error("kept.error");
    LogSettings off;
    off.level = "off";
    Logger silent(off);
    silent.error("dropped.too");
  });
  auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2u) << text;
  EXPECT_EQ(nlohmann::json::parse(lines[0])["event"], "kept.warn");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["event"], "kept.error");
}

TEST(Logger, TextFormatIsKeyValue) {
  auto text = captured_stderr([] {
    LogSettings settings;
    settings.format = LogFormat::text;
    settings.component = "gateway";
    Logger logger(settings);
    logger.warn("llm.slow", {{"model", "m1"}, {"ms", 900}});
  });
  EXPECT_NE(text.find(" warn [gateway] llm.slow model=m1 ms=900\n"), std::string::npos) << text;
}

// The line is written without a tree, but reads as one would dump: members sorted by name, a
// field overriding the context and the context the fixed members, hostile text escaped.
TEST(Logger, JsonLineIsTheDumpOfItsMembers) {
  auto text = captured_stderr([] {
    LogSettings settings;
    settings.component = "bridge";
    settings.context = {{"agent", "galahad"}, {"fleet", "fleet-a"}, {"event", "from the context"}};
    Logger logger(settings);
    logger.warn("task.failed", {{"task_id", "t-\"1\"\n"}, {"fleet", "overridden"}, {"bad", "\xff\x01"}, {"n", -3}, {"ok", true},
                                {"nested", {{"b", 1}, {"a", nullptr}}}});
  });
  auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  auto line = nlohmann::json::parse(lines[0]);
  nlohmann::json expected = {{"ts", line["ts"]}, {"level", "warn"}, {"component", "bridge"}, {"agent", "galahad"},
                             {"event", "from the context"}, {"fleet", "overridden"}, {"task_id", "t-\"1\"\n"},
                             {"bad", "\xff\x01"}, {"n", -3}, {"ok", true}, {"nested", {{"b", 1}, {"a", nullptr}}}};
  EXPECT_EQ(lines[0], expected.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

TEST(Logger, EnabledFollowsTheLevel) {
  LogSettings settings;
  settings.level = "info";
  Logger logger(settings);
  EXPECT_FALSE(logger.enabled(LogLevel::debug));
  EXPECT_TRUE(logger.enabled(LogLevel::info));
  EXPECT_TRUE(logger.enabled(LogLevel::error));
  settings.level = "off";
  EXPECT_FALSE(Logger(settings).enabled(LogLevel::error));
}

// Lines longer than a pipe's atomic write, from several threads at once, never interleave.
TEST(Logger, ConcurrentLongLinesStayWhole) {
  constexpr int kThreads = 4, kLinesEach = 50;
  auto text = captured_stderr([] {
    Logger logger;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLinesEach; ++i) logger.info("long", {{"thread", t}, {"filler", std::string(10000, static_cast<char>('a' + t))}});
      });
    for (auto& thread : threads) thread.join();
  });
  auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesEach));
  for (const auto& line : lines) {
    auto parsed = nlohmann::json::parse(line);
    int t = parsed["thread"];
    EXPECT_EQ(parsed["filler"], std::string(10000, static_cast<char>('a' + t)));
  }
}

}  // namespace
}  // namespace rt
