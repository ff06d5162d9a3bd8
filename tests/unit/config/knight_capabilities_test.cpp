// knight.yaml's capabilities reach the bridge's settings (they were dropped, so heartbeats
// announced <domain>.* instead of what the knight really answers).
#include <gtest/gtest.h>

#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/config/knight_file.hpp"
#include "roundtable/config/settings.hpp"

namespace rt::config {
namespace {

class KnightCapabilities : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("rt-knight-caps"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& text) {
    auto path = dir_ / "knight.yaml";
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(KnightCapabilities, ListBecomesTheCapabilitiesSetting) {
  auto values = read_knight_file_settings(write("name: galahad\ndomains: [security]\ncapabilities: [security.briefing, security.cve-lookup]\n"));
  EXPECT_EQ(values.at("CAPABILITIES"), "security.briefing,security.cve-lookup");
  Settings s;
  s.add_file(values, "knight.yaml");
  EXPECT_EQ(s.list("CAPABILITIES", {}), (std::vector<std::string>{"security.briefing", "security.cve-lookup"}));
  s.add_env({{"CAPABILITIES", "security.scan"}});
  EXPECT_EQ(s.list("CAPABILITIES", {}), std::vector<std::string>{"security.scan"}) << "the environment still wins";
}

TEST_F(KnightCapabilities, AbsentMeansNoSetting) {
  auto values = read_knight_file_settings(write("name: galahad\ndomains: [security]\n"));
  EXPECT_FALSE(values.count("CAPABILITIES"));
}

TEST_F(KnightCapabilities, TheTemplateAndEveryKnightDeclareThem) {
  namespace fs = std::filesystem;
  fs::path knights = fs::path(RT_SOURCE_DIR) / "knights";
  if (!fs::is_directory(knights)) GTEST_SKIP() << "no knights/ in this checkout";
  for (const auto& entry : fs::directory_iterator(knights)) {
    auto file = entry.path() / "knight.yaml";
    if (!fs::exists(file)) continue;
    auto values = read_knight_file_settings(file);
    EXPECT_TRUE(values.count("CAPABILITIES")) << file;
  }
}

}  // namespace
}  // namespace rt::config
