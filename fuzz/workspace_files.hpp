#pragma once
// A scratch knight workspace for the file-based fuzz targets (knight.yaml, SKILL.md): the
// loaders read files, so each input is written where they look. On /dev/shm when present.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace rt::fuzz {

inline std::filesystem::path scratch_workspace() {
  std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  auto dir = base / ("rt-fuzz-ws-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "skills" / "probe");
  std::ofstream(dir / "SOUL.md") << "You fuzz.\n";
  std::ofstream(dir / "MEMORY.md") << "";
  std::ofstream(dir / "knight.yaml") << "name: probe\nfleet: fleet-a\nrole: knight\ndomains: [security]\n";
  auto script = dir / "skills" / "probe" / "run.sh";
  std::ofstream(script) << "#!/bin/sh\necho ok\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return dir;
}

inline void write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace rt::fuzz
