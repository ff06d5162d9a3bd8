// SKILL.md `limits:`: memory, CPU, processes and file size for one run, with safe defaults;
// anything else fails at start naming SKILL.md and the line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;

class SkillLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::canonical(testing::make_temp_dir("rt-limits-unit"));
    fs::create_directories(dir_ / "skills/probe");
    std::ofstream(dir_ / "skills/probe/run.sh") << "#!/bin/sh\n";
    fs::permissions(dir_ / "skills/probe/run.sh", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Skill load(const std::string& front) {
    std::ofstream(dir_ / "skills/probe/SKILL.md", std::ios::trunc) << "---\nname: probe\ncommand: [./run.sh]\n" << front << "---\n";
    return load_skill(dir_, dir_ / "skills/probe");
  }
  std::string error_of(const std::string& front) {
    try {
      load(front);
      return "";
    } catch (const config::ConfigError& e) {
      return e.what();
    }
  }
  fs::path dir_;
};

TEST_F(SkillLimitsTest, ASkillWithoutLimitsGetsTheSafeDefaults) {
  auto limits = load("").limits;
  EXPECT_EQ(limits.memory_mb, 512u);
  EXPECT_EQ(limits.cpu_seconds, 30u);
  EXPECT_EQ(limits.processes, 64u);
  EXPECT_EQ(limits.file_size_mb, 16u);
}

TEST_F(SkillLimitsTest, EachLimitCanBeSetAndTheOthersKeepTheirDefaults) {
  auto limits = load("limits:\n  memory_mb: 1024\n  cpu_seconds: 5\n").limits;
  EXPECT_EQ(limits.memory_mb, 1024u);
  EXPECT_EQ(limits.cpu_seconds, 5u);
  EXPECT_EQ(limits.processes, 64u);
  EXPECT_EQ(limits.file_size_mb, 16u);
  auto all = load("limits: {memory_mb: 64, cpu_seconds: 2, processes: 3, file_size_mb: 1}\n").limits;
  EXPECT_EQ(all.memory_mb, 64u);
  EXPECT_EQ(all.cpu_seconds, 2u);
  EXPECT_EQ(all.processes, 3u);
  EXPECT_EQ(all.file_size_mb, 1u);
}

TEST_F(SkillLimitsTest, BadLimitsAreRefusedNamingSkillMdAndTheLine) {
  struct Row {
    std::string front, wanted;
  };
  for (const auto& row : std::vector<Row>{
           {"limits: 512\n", "'limits' must be a mapping"},
           {"limits:\n  memory: 512\n", "unknown limit 'memory'"},
           {"limits:\n  memory_mb: 0\n", "'limits.memory_mb' must be a whole number from 1"},
           {"limits:\n  cpu_seconds: -1\n", "'limits.cpu_seconds' must be a whole number"},
           {"limits:\n  processes: 2.5\n", "'limits.processes' must be a whole number"},
           {"limits:\n  file_size_mb: lots\n", "'limits.file_size_mb' must be a whole number"},
           {"limits:\n  memory_mb: 99999999999\n", "'limits.memory_mb' must be a whole number"},
           {"limits:\n  processes: [1]\n", "'limits.processes' must be a whole number"},
       }) {
    std::string error = error_of(row.front);
    EXPECT_NE(error.find("SKILL.md:"), std::string::npos) << row.front << " -> " << error;
    EXPECT_NE(error.find(row.wanted), std::string::npos) << row.front << " -> " << error;
  }
}

TEST_F(SkillLimitsTest, ParseSkillLimitsReadsTheMapOnItsOwn) {
  auto limits = parse_skill_limits(dir_ / "SKILL.md", "processes: 8\nfile_size_mb: 2");
  EXPECT_EQ(limits.processes, 8u);
  EXPECT_EQ(limits.file_size_mb, 2u);
  EXPECT_EQ(limits.memory_mb, 512u);
  EXPECT_THROW(parse_skill_limits(dir_ / "SKILL.md", "processes: [8"), config::ConfigError);
}

}  // namespace
}  // namespace rt::gateway
