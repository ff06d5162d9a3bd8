// nats-bridge holds NATS credentials and the gateway token: once its configuration is read they
// are gone from /proc/<pid>/environ and /proc/<pid>/cmdline (docs/security.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "fixtures/bridge_harness.hpp"

namespace rt::testing {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BridgeSecrets, CredentialsAreScrubbedFromTheBridgesEnvironment) {
  std::string token = "gw-secret-" + std::to_string(::getpid()) + "-bridge";
  std::string nats_password = "nats-secret-" + std::to_string(::getpid());
  // No NATS server: the bridge stays up and alive without one, which is all this test needs.
  BridgeProcess bridge("nats://knight:" + nats_password + "@127.0.0.1:" + std::to_string(free_port()), "http://127.0.0.1:1",
                       {{"GATEWAY_TOKEN", token}, {"NATS_TOKEN", nats_password + "-token"}});
  bridge.start();
  ASSERT_TRUE(eventually([&] { return bridge.get("/healthz").first == 200; })) << bridge.output();
  std::string proc = "/proc/" + std::to_string(bridge.process().pid());
  std::string environ_bytes = read_text(proc + "/environ"), cmdline = read_text(proc + "/cmdline");
  for (const auto& text : {environ_bytes, cmdline}) {
    EXPECT_EQ(text.find(token), std::string::npos);
    EXPECT_EQ(text.find(nats_password), std::string::npos);
  }
  if (!environ_bytes.empty()) {
    EXPECT_NE(environ_bytes.find("AGENT_ID="), std::string::npos) << "other settings stay";
  }
  EXPECT_EQ(bridge.output().find(token), std::string::npos) << "never logged";
  EXPECT_EQ(bridge.output().find(nats_password), std::string::npos) << "never logged";
}

}  // namespace
}  // namespace rt::testing
