// GATEWAY_METRICS_LISTEN, GATEWAY_SHUTDOWN_GRACE and LLM_BASE_URL: defaults, environment, flags, bad values.
#include <gtest/gtest.h>

#include "roundtable/gateway/config.hpp"

namespace rt::gateway {
namespace {

using namespace std::chrono_literals;

config::EnvMap base_env() {
  return {{"WORKSPACE_DIR", std::string(RT_SOURCE_DIR) + "/tests/fixtures/workspaces/basic"}};
}

TEST(GatewayHttpSettings, MetricsListenerIsOffAndGraceIs25SecondsByDefault) {
  auto [config, ws] = load_gateway_config({}, base_env());
  EXPECT_EQ(config.metrics_listen, "");
  EXPECT_EQ(config.shutdown_grace, 25s);
}

TEST(GatewayHttpSettings, EnvironmentAndFlagsSetThem) {
  auto env = base_env();
  env["GATEWAY_METRICS_LISTEN"] = "0.0.0.0:9464";
  env["GATEWAY_SHUTDOWN_GRACE"] = "5s";
  EXPECT_EQ(load_gateway_config({}, env).first.metrics_listen, "0.0.0.0:9464");
  auto [config, ws] = load_gateway_config({"--gateway-metrics-listen", ":9000", "--gateway-shutdown-grace", "2s"}, env);
  EXPECT_EQ(config.metrics_listen, ":9000");
  EXPECT_EQ(config.shutdown_grace, 2s);
}

TEST(GatewayHttpSettings, AMetricsListenAddressWithoutAPortIsRefused) {
  auto env = base_env();
  env["GATEWAY_METRICS_LISTEN"] = "0.0.0.0:metrics";
  EXPECT_THROW(load_gateway_config({}, env), config::ConfigError);
}

// The provider's routes hang under LLM_BASE_URL's path, which cannot carry a query or a space.
TEST(GatewayHttpSettings, AnLlmBaseUrlThatCannotPrefixAPathIsRefused) {
  auto env = base_env();
  env["LLM_BASE_URL"] = "https://proxy.lan/openai/v1";
  EXPECT_NO_THROW(load_gateway_config({}, env));
  for (const char* url : {"https://proxy.lan/v1?key=x", "https://proxy.lan/a b", "ftp://proxy.lan"}) {
    env["LLM_BASE_URL"] = url;
    EXPECT_THROW(load_gateway_config({}, env), config::ConfigError) << url;
  }
}

}  // namespace
}  // namespace rt::gateway
