#include <gtest/gtest.h>

#include "roundtable/bridge/config.hpp"

namespace rt::bridge {
namespace {

// `nats-bridge --help` is the operator's list of settings: one it accepts but does not name is
// a setting nobody finds (MODEL_NAME and CAPABILITIES were missing once).
TEST(BridgeUsage, NamesEverySettingTheBridgeAccepts) {
  const std::string usage = bridge_usage();
  for (const auto& name : bridge_setting_names()) EXPECT_NE(usage.find(name), std::string::npos) << name << " is not in --help";
}

}  // namespace
}  // namespace rt::bridge
