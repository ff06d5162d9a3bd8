// Secrets leave the process environment and argv once the configuration holds them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "roundtable/common/process_hardening.hpp"

namespace rt {
namespace {

TEST(ProcessHardening, SecretSettingsAreRecognisedByNameOrByCredentialsInAUrl) {
  for (const char* name : {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GATEWAY_TOKEN", "NATS_TOKEN", "NATS_PASSWORD", "NATS_TLS_KEY",
                           "SOME_SECRET", "GPG_PASSPHRASE", "AWS_CREDENTIALS", "gateway-token"})
    EXPECT_TRUE(is_secret_setting(name, "x")) << name;
  for (const char* name : {"NATS_URL", "REDIS_URL", "WORKSPACE_DIR", "KEYBOARD", "TOKENS_PER_DAY", "LOG_LEVEL", "NATS_CREDS"})
    EXPECT_FALSE(is_secret_setting(name, "nats://127.0.0.1:4222")) << name;
  EXPECT_TRUE(is_secret_setting("REDIS_URL", "redis://:hunter2@redis:6379/0"));
  EXPECT_TRUE(is_secret_setting("NATS_URL", "nats://a:4222,nats://user:pw@b:4222"));
  EXPECT_FALSE(is_secret_setting("LLM_BASE_URL", "http://127.0.0.1:8080/v1?x=a@b"));
}

TEST(ProcessHardening, SecretFlagValuesAreOverwrittenInArgvAndTheRestIsKept) {
  std::vector<std::string> storage = {"knight-gateway", "--gateway-token", "tok-123", "--log-level=debug", "--openai-api-key=sk-9",
                                      "--nats-url=nats://u:pw@h:4222", "--gateway-listen", "127.0.0.1:1"};
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  auto names = scrub_secret_arguments(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(names, (std::vector<std::string>{"--GATEWAY_TOKEN", "--OPENAI_API_KEY", "--NATS_URL"}));
  EXPECT_STREQ(argv[1], "--gateway-token");
  EXPECT_STREQ(argv[2], "");
  EXPECT_STREQ(argv[3], "--log-level=debug");
  EXPECT_STREQ(argv[4], "--openai-api-key=");
  EXPECT_STREQ(argv[5], "--nats-url=");
  EXPECT_STREQ(argv[7], "127.0.0.1:1");
  EXPECT_EQ(storage[2], std::string(7, '\0')) << "the bytes themselves are gone, not only the pointer";
}

TEST(ProcessHardening, SecretEnvironmentVariablesAreUnsetAndOthersKept) {
  ::setenv("RT_UNIT_API_KEY", "sk-unit", 1);
  ::setenv("RT_UNIT_PLAIN", "visible", 1);
  auto names = scrub_secret_environment();
  EXPECT_NE(std::find(names.begin(), names.end(), "RT_UNIT_API_KEY"), names.end());
  EXPECT_EQ(std::getenv("RT_UNIT_API_KEY"), nullptr);
  ASSERT_NE(std::getenv("RT_UNIT_PLAIN"), nullptr);
  EXPECT_STREQ(std::getenv("RT_UNIT_PLAIN"), "visible");
  ::unsetenv("RT_UNIT_PLAIN");
}

}  // namespace
}  // namespace rt
