// Loading a workspace: knight.yaml, SOUL.md, MEMORY.md, skills; errors name the file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway {
namespace {

namespace fs = std::filesystem;

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-ws-unit");
    fs::copy(fs::path(RT_SOURCE_DIR) / "tests/fixtures/workspaces/basic", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary | std::ios::trunc) << text;
  }
  // The one-line message of the startup error, or "" when the workspace loads.
  std::string error_of() {
    try {
      load_workspace(dir_);
      return "";
    } catch (const config::ConfigError& e) {
      return e.what();
    }
  }
  fs::path dir_;
};

TEST_F(WorkspaceTest, BasicWorkspaceLoadsEverySetting) {
  auto ws = load_workspace(dir_);
  const auto& k = ws.knight;
  EXPECT_EQ(k.name, "testknight");
  EXPECT_EQ(k.fleet, "fleet-a");
  EXPECT_EQ(k.role, "knight");
  EXPECT_EQ(k.domains, std::vector<std::string>{"security"});
  EXPECT_EQ(k.model.name, "test-model");
  EXPECT_EQ(k.model.max_tokens, 1000);
  EXPECT_EQ(k.model.fallbacks, std::vector<std::string>{"test-fallback"});
  EXPECT_EQ(k.subagent_model, "test-sub-model");
  EXPECT_EQ(k.subagent_max_parallel, 3);
  EXPECT_EQ(k.max_tool_iterations, 4);
  EXPECT_EQ(k.memory_max_bytes, 4096u);
  ASSERT_EQ(ws.skills.size(), 1u);
  const auto& echo = ws.skills[0];
  EXPECT_EQ(echo.name, "echo");
  EXPECT_EQ(echo.timeout, std::chrono::seconds(2));
  EXPECT_EQ(echo.input_schema["properties"]["text"]["type"], "string");
  EXPECT_EQ(echo.executable, fs::canonical(dir_ / "skills/echo/echo.sh"));
  EXPECT_NE(ws.soul.find("Sir Testalot"), std::string::npos);
}

TEST_F(WorkspaceTest, LeadRoleIsKeptAndUnknownRolesAreRefusedWithTheirLine) {
  std::string yaml = "name: boss\nfleet: fleet-a\nrole: lead\n";
  write("knight.yaml", yaml);
  EXPECT_EQ(load_workspace(dir_).knight.role, "lead");
  write("knight.yaml", "name: boss\nfleet: fleet-a\nrole: wizard\n");
  std::string error = error_of();
  EXPECT_NE(error.find("knight.yaml:3"), std::string::npos) << error;
  EXPECT_NE(error.find("role"), std::string::npos) << error;
}

TEST_F(WorkspaceTest, BrokenYamlNamesFileAndLine) {
  write("knight.yaml", "name: x\nfleet: fleet-a\nmodel: {name: [unclosed\n");
  std::string error = error_of();
  EXPECT_NE(error.find("knight.yaml:"), std::string::npos) << error;
  write("knight.yaml", "name: x\nlimits:\n  requests_per_minute: lots\n");
  error = error_of();
  EXPECT_NE(error.find("knight.yaml:3"), std::string::npos) << error;
  EXPECT_NE(error.find("limits.requests_per_minute"), std::string::npos) << error;
  write("knight.yaml", "name: x\nmodel:\n  name: m\n  provider: claude\n");
  error = error_of();
  EXPECT_NE(error.find("knight.yaml:4"), std::string::npos) << error;
  EXPECT_NE(error.find("model.provider"), std::string::npos) << error;
  write("knight.yaml", "name: Not An Identifier\n");
  EXPECT_NE(error_of().find("identifier"), std::string::npos);
}

TEST_F(WorkspaceTest, MissingFilesAreNamed) {
  fs::remove(dir_ / "SOUL.md");
  EXPECT_NE(error_of().find("SOUL.md"), std::string::npos);
  write("SOUL.md", "# Soul\n");
  fs::remove(dir_ / "knight.yaml");
  EXPECT_NE(error_of().find("knight.yaml"), std::string::npos);
}

TEST_F(WorkspaceTest, AMissingMemoryFileIsCreated) {
  fs::remove(dir_ / "MEMORY.md");
  auto ws = load_workspace(dir_);
  EXPECT_TRUE(fs::exists(dir_ / "MEMORY.md"));
  EXPECT_EQ(ws.memory(), "# Memory\n");
}

TEST_F(WorkspaceTest, SkillFrontMatterProblemsNameSkillMdAndLine) {
  write("skills/echo/SKILL.md", "no front matter\n");
  EXPECT_NE(error_of().find("SKILL.md:1"), std::string::npos);
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [./echo.sh]\ntimeout: soon\n---\n");
  std::string error = error_of();
  EXPECT_NE(error.find("SKILL.md:4"), std::string::npos) << error;
  write("skills/echo/SKILL.md", "---\nname: echo\ndescription: [not, a, string]\ncommand: [./echo.sh]\n---\n");
  error = error_of();
  EXPECT_NE(error.find("SKILL.md"), std::string::npos) << "a wrong shape is a clear error, not a crash: " << error;
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [./missing.sh]\n---\n");
  EXPECT_NE(error_of().find("does not exist"), std::string::npos);
  fs::remove(dir_ / "skills/echo/SKILL.md");
  EXPECT_NE(error_of().find("SKILL.md"), std::string::npos);
}

TEST_F(WorkspaceTest, ASkillCommandOutsideTheWorkspaceIsRefused) {
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [../../../../../../../bin/sh]\n---\n");
  EXPECT_NE(error_of().find("escapes the workspace"), std::string::npos);
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [/bin/sh]\n---\n");
  EXPECT_NE(error_of().find("escapes the workspace"), std::string::npos);
  // A symbolic link inside the skill folder that points out of the workspace.
  fs::create_symlink("/bin/sh", dir_ / "skills/echo/shell");
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [./shell]\n---\n");
  EXPECT_NE(error_of().find("escapes the workspace"), std::string::npos);
}

TEST_F(WorkspaceTest, ANonExecutableSkillIsRefusedAtStart) {
  write("skills/echo/plain.sh", "#!/bin/sh\necho hi\n");
  write("skills/echo/SKILL.md", "---\nname: echo\ncommand: [./plain.sh]\n---\n");
  EXPECT_NE(error_of().find("not executable"), std::string::npos);
}

}  // namespace
}  // namespace rt::gateway
