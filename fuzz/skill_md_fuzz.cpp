// SKILL.md front matter (src/gateway/workspace.cpp load_skill): a workspace is operator input,
// but a bad one must end in a ConfigError naming the file, never a crash.
#include "fuzz/workspace_files.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace {
const std::filesystem::path& workspace() {
  static const std::filesystem::path dir = rt::fuzz::scratch_workspace();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto skill_dir = workspace() / "skills" / "probe";
  rt::fuzz::write_file(skill_dir / "SKILL.md", data, size);
  try {
    (void)rt::gateway::load_skill(workspace(), skill_dir);
  } catch (const rt::config::ConfigError&) {
  }
  try {
    (void)rt::gateway::parse_skill_limits(skill_dir / "SKILL.md", std::string(reinterpret_cast<const char*>(data), size));
  } catch (const rt::config::ConfigError&) {
  }
  return 0;
}
