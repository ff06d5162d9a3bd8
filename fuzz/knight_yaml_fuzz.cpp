// knight.yaml (src/config/knight_file.cpp for the bridge, src/gateway/workspace.cpp for the
// gateway): a bad file must end in a ConfigError naming the file, never a crash.
#include "fuzz/workspace_files.hpp"
#include "roundtable/config/knight_file.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace {
const std::filesystem::path& workspace() {
  static const std::filesystem::path dir = [] {
    auto d = rt::fuzz::scratch_workspace();
    std::filesystem::remove_all(d / "skills");
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rt::fuzz::write_file(workspace() / "knight.yaml", data, size);
  try {
    (void)rt::config::read_knight_file_settings(workspace() / "knight.yaml");
  } catch (const rt::config::ConfigError&) {
  }
  try {
    (void)rt::gateway::load_workspace(workspace());
  } catch (const rt::config::ConfigError&) {
  }
  return 0;
}
