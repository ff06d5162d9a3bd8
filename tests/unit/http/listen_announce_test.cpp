// The listening line and the port file of a server started on port 0.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fixtures/process.hpp"
#include "roundtable/http/listen_announce.hpp"

namespace rt::http {
namespace {

TEST(ListenAnnounce, OneLineOnStdoutAndThePortInTheFile) {
  EXPECT_EQ(listening_line("127.0.0.1", 43211), "listening 127.0.0.1:43211\n");
  auto dir = testing::make_temp_dir("rt-port-file");
  auto file = dir / "port";
  std::FILE* out = std::tmpfile();
  ASSERT_TRUE(announce_listening(out, "127.0.0.1", 43211, file.string()));
  std::rewind(out);
  char line[64] = {};
  ASSERT_NE(std::fgets(line, sizeof line, out), nullptr);
  EXPECT_STREQ(line, "listening 127.0.0.1:43211\n");
  std::fclose(out);
  std::ifstream in(file);
  std::string port;
  std::getline(in, port);
  EXPECT_EQ(port, "43211");
  EXPECT_FALSE(write_port_file((dir / "missing-dir" / "port").string(), 1)) << "an unwritable place is an error";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rt::http
