// remember: dated lines appended atomically to MEMORY.md within memory.max_bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "fixtures/process.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/gateway/rate_limiter.hpp"
#include "roundtable/gateway/tools.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-memory-unit");
    file_ = dir_ / "MEMORY.md";
    std::ofstream(file_) << "# Memory";  // no trailing newline on purpose
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, file_;
};

TEST_F(MemoryTest, AFactIsAppendedAsOneDatedLine) {
  auto size = append_memory(file_, "the drawbridge\nsticks in rain", 4096);
  ASSERT_TRUE(size.ok());
  std::string today = format_rfc3339(std::chrono::system_clock::now()).substr(0, 10);
  std::string expected = "# Memory\n- " + today + ": the drawbridge sticks in rain\n";
  EXPECT_EQ(slurp(file_), expected);
  EXPECT_EQ(*size, expected.size());
  EXPECT_FALSE(fs::exists(dir_ / "MEMORY.md.tmp")) << "written beside and renamed into place";
}

TEST_F(MemoryTest, AFullMemoryRefusesTheFactAndKeepsTheFile) {
  std::string before = slurp(file_);
  auto size = append_memory(file_, std::string(200, 'x'), 64);
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message.find("memory.max_bytes"), std::string::npos);
  EXPECT_EQ(slurp(file_), before);
}

TEST_F(MemoryTest, ConcurrentRemembersThroughTheToolLoseNothing) {
  Workspace ws;
  ws.dir = dir_;
  ws.memory_file = file_;
  ws.knight.memory_max_bytes = 1 << 20;
  ToolDeps deps;
  deps.workspace = &ws;
  auto tool = make_remember_tool(deps, std::make_shared<std::mutex>());
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      ToolContext context;
      for (int j = 0; j < 10; ++j) EXPECT_FALSE(tool->run({{"fact", "fact " + std::to_string(i * 10 + j)}}, context).is_error);
    });
  for (auto& t : threads) t.join();
  std::string text = slurp(file_);
  for (int n = 0; n < 80; ++n) EXPECT_NE(text.find(": fact " + std::to_string(n) + "\n"), std::string::npos) << n;
  ToolContext context;
  EXPECT_TRUE(tool->run({{"wrong", 1}}, context).is_error) << "the fact is required";
}

TEST(LocalRateLimiter, RequestsPerMinuteAreABucket) {
  RateLimiter limiter(nullptr, "fleet-a", "unit", 2, 0, Logger());
  EXPECT_TRUE(limiter.admit().allowed);
  EXPECT_TRUE(limiter.admit().allowed);
  auto third = limiter.admit();
  EXPECT_FALSE(third.allowed);
  EXPECT_GE(third.retry_after_seconds, 1);
  EXPECT_LE(third.retry_after_seconds, 31);
}

TEST(LocalRateLimiter, ZeroMeansUnlimited) {
  RateLimiter limiter(nullptr, "fleet-a", "unit", 0, 0, Logger());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.admit().allowed);
  limiter.record_tokens(1'000'000);
  EXPECT_TRUE(limiter.admit().allowed);
}

}  // namespace
}  // namespace rt::gateway
