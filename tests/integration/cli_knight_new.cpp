// roundtable knight new, on a temporary knights folder.
#include <fstream>
#include <sstream>

#include "cli_support.hpp"

namespace rt::testing {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult knight_new(const std::vector<std::string>& args) {
  std::vector<std::string> argv{roundtable_binary(), "knight", "new"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {});
}

class CliKnightNew : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("rt-knight-new");
    fs::path real = fs::path(RT_SOURCE_DIR) / "knights/template";
    if (fs::is_directory(real)) {
      fs::copy(real, dir_ / "template", fs::copy_options::recursive);
    } else {  // a checkout without the template yet: a small one of our own
      fs::create_directories(dir_ / "template");
      std::ofstream(dir_ / "template/knight.yaml") << "name: __NAME__\ndomains: [__DOMAIN__]\n";
      std::ofstream(dir_ / "template/SOUL.md") << "# __NAME__, knight of __DOMAIN__\n";
      std::ofstream(dir_ / "template/kustomization.yaml") << "# Knight __NAME__ (__DOMAIN__)\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CliKnightNew, CreatesTheFolderFromTheTemplateAndRefusesToOverwrite) {
  auto result = knight_new({"bedivere", "--domain", "garden", "--dir", dir_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("created " + (dir_ / "bedivere").string()), std::string::npos) << result.output;
  auto yaml = read(dir_ / "bedivere/knight.yaml");
  EXPECT_NE(yaml.find("name: bedivere"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("garden"), std::string::npos) << yaml;
  EXPECT_NE(read(dir_ / "bedivere/SOUL.md").find("bedivere"), std::string::npos);
  EXPECT_NE(read(dir_ / "bedivere/kustomization.yaml").find("bedivere"), std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "bedivere")) {
    if (!entry.is_regular_file()) continue;
    auto text = read(entry.path());
    EXPECT_EQ(text.find("__NAME__"), std::string::npos) << entry.path();
    EXPECT_EQ(text.find("__DOMAIN__"), std::string::npos) << entry.path();
  }

  std::ofstream(dir_ / "bedivere/SOUL.md") << "edited by hand";
  auto again = knight_new({"bedivere", "--domain", "orchard", "--dir", dir_.string()});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
  EXPECT_EQ(read(dir_ / "bedivere/SOUL.md"), "edited by hand");
}

TEST_F(CliKnightNew, BadNamesAndMissingPiecesAreRefused) {
  auto bad = knight_new({"Bad.Name", "--domain", "garden", "--dir", dir_.string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("not an identifier"), std::string::npos) << bad.output;
  for (const char* name : {"bed ivere", "bed*", "bed>"}) EXPECT_EQ(knight_new({name, "--domain", "garden", "--dir", dir_.string()}).exit_code, 2) << name;
  auto bad_domain = knight_new({"bedivere", "--domain", "gar.den", "--dir", dir_.string()});
  EXPECT_EQ(bad_domain.exit_code, 2) << bad_domain.output;
  auto no_domain = knight_new({"bedivere", "--dir", dir_.string()});
  EXPECT_EQ(no_domain.exit_code, 2) << no_domain.output;
  EXPECT_NE(no_domain.output.find("DOMAIN"), std::string::npos) << no_domain.output;
  EXPECT_FALSE(fs::exists(dir_ / "bedivere"));
  auto no_template = knight_new({"bedivere", "--domain", "garden", "--dir", (dir_ / "elsewhere").string()});
  EXPECT_EQ(no_template.exit_code, 1) << no_template.output;
  EXPECT_NE(no_template.output.find("template does not exist"), std::string::npos) << no_template.output;
}

}  // namespace
}  // namespace rt::testing
