// knight new, on a temporary knights folder.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fixtures/process.hpp"
#include "roundtable/cli/views.hpp"

namespace rt::cli {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Scaffold : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rt-scaffold");
    fs::create_directories(dir_ / "template/skills/example");
    std::ofstream(dir_ / "template/knight.yaml") << "name: __NAME__\nrole: knight\ndomains: [__DOMAIN__]\n";
    std::ofstream(dir_ / "template/SOUL.md") << "# __NAME__, knight of __DOMAIN__\nTasks named `__DOMAIN__.<action>`.\n";
    std::ofstream(dir_ / "template/kustomization.yaml") << "# Knight __NAME__ (__DOMAIN__)\nnameSuffix: -__NAME__\n";
    std::ofstream(dir_ / "template/skills/example/SKILL.md") << "---\nname: example\n---\nfor __NAME__\n";
    std::ofstream(dir_ / "template/blob.bin", std::ios::binary) << std::string("__NAME__\0raw", 12);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Scaffold, CopiesTheTemplateAndFillsInNameAndDomain) {
  auto made = scaffold_knight(dir_, "bedivere", "garden");
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(*made, dir_ / "bedivere");
  EXPECT_EQ(read(dir_ / "bedivere/knight.yaml"), "name: bedivere\nrole: knight\ndomains: [garden]\n");
  EXPECT_EQ(read(dir_ / "bedivere/SOUL.md"), "# bedivere, knight of garden\nTasks named `garden.<action>`.\n");
  EXPECT_EQ(read(dir_ / "bedivere/kustomization.yaml"), "# Knight bedivere (garden)\nnameSuffix: -bedivere\n");
  EXPECT_EQ(read(dir_ / "bedivere/skills/example/SKILL.md"), "---\nname: example\n---\nfor bedivere\n");
  EXPECT_EQ(read(dir_ / "bedivere/blob.bin"), std::string("__NAME__\0raw", 12)) << "binary files are copied as they are";
  EXPECT_NE(read(dir_ / "template/knight.yaml").find("__NAME__"), std::string::npos) << "the template is untouched";
}

TEST_F(Scaffold, RefusesAnExistingFolderAndLeavesItAlone) {
  fs::create_directories(dir_ / "bedivere");
  std::ofstream(dir_ / "bedivere/SOUL.md") << "my own soul";
  auto made = scaffold_knight(dir_, "bedivere", "garden");
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("already exists"), std::string::npos) << made.error().message;
  EXPECT_EQ(read(dir_ / "bedivere/SOUL.md"), "my own soul");
}

TEST_F(Scaffold, RefusesBadIdentifiers) {
  for (const char* name : {"Bedivere", "bed.ivere", "bed*", "bed>", "bed ivere", "-bed", "", "template"}) {
    auto made = scaffold_knight(dir_, name, "garden");
    ASSERT_FALSE(made.ok()) << name;
    EXPECT_EQ(made.error().code, ErrorCode::invalid_params) << name;
  }
  for (const char* name : {"Bedivere", "bed.ivere", "bed ivere", "-bed"}) EXPECT_FALSE(fs::exists(dir_ / name)) << name;
  {
  }
  auto bad_domain = scaffold_knight(dir_, "bedivere", "gar.den");
  ASSERT_FALSE(bad_domain.ok());
  EXPECT_NE(bad_domain.error().message.find("domain 'gar.den'"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "bedivere"));
}

TEST_F(Scaffold, MissingTemplateIsNamed) {
  auto made = scaffold_knight(dir_ / "nowhere", "bedivere", "garden");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::not_found);
  EXPECT_NE(made.error().message.find("nowhere/template"), std::string::npos) << made.error().message;
}

TEST(ScaffoldRepository, TheRealTemplateLeavesNoPlaceholder) {
  fs::path templ = fs::path(RT_SOURCE_DIR) / "knights/template";
  if (!fs::is_directory(templ)) GTEST_SKIP() << "no knights/template in this checkout";
  auto dir = testing::make_temp_dir("rt-scaffold-real");
  fs::copy(templ, dir / "template", fs::copy_options::recursive);
  auto made = scaffold_knight(dir, "bedivere", "garden");
  ASSERT_TRUE(made.ok()) << made.error().message;
  for (const auto& entry : fs::recursive_directory_iterator(*made)) {
    if (!entry.is_regular_file()) continue;
    auto text = read(entry.path());
    EXPECT_EQ(text.find("__NAME__"), std::string::npos) << entry.path();
    EXPECT_EQ(text.find("__DOMAIN__"), std::string::npos) << entry.path();
  }
  EXPECT_NE(read(*made / "knight.yaml").find("bedivere"), std::string::npos);
  EXPECT_NE(read(*made / "knight.yaml").find("garden"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rt::cli
