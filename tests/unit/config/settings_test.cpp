// Layered settings (knight.yaml < environment < flags) and knight.yaml reading (docs/contract.md §7).
#include "roundtable/config/settings.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "roundtable/common/child_process.hpp"
#include "roundtable/config/knight_file.hpp"

namespace rt::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Runs `body`, expects a ConfigError, and returns it.
ConfigError config_error(const std::function<void()>& body) {
  try {
    body();
  } catch (const ConfigError& error) {
    return error;
  }
  ADD_FAILURE() << "no ConfigError thrown";
  return ConfigError("", "");
}

TEST(Names, FlagAndEnvironmentNames) {
  EXPECT_EQ(flag_name("NATS_URL"), "nats-url");
  EXPECT_EQ(flag_name("MAX_CONCURRENCY"), "max-concurrency");
  EXPECT_EQ(env_name("nats-url"), "NATS_URL");
  EXPECT_EQ(env_name("heartbeat-interval"), "HEARTBEAT_INTERVAL");
  EXPECT_EQ(env_name(flag_name("STREAM_REPLICAS")), "STREAM_REPLICAS");
}

TEST(Names, EnvironmentFromEnvp) {
  char a[] = "FLEET_ID=fleet-a";
  char b[] = "EMPTY=";
  char c[] = "WITH_EQUALS=a=b";
  char d[] = "NO_EQUALS";
  char* envp[] = {a, b, c, d, nullptr};
  EnvMap env = environment_from(envp);
  EXPECT_EQ(env.at("FLEET_ID"), "fleet-a");
  EXPECT_EQ(env.at("EMPTY"), "");
  EXPECT_EQ(env.at("WITH_EQUALS"), "a=b");
  EXPECT_FALSE(env.count("NO_EQUALS"));
  EXPECT_TRUE(environment_from(nullptr).empty());
}

TEST(Settings, LayersFileThenEnvironmentThenFlags) {
  Settings s;
  s.add_file({{"AGENT_ID", "from-file"}, {"FLEET_ID", "fleet-file"}, {"MAX_CONCURRENCY", "3"}}, "knight.yaml");
  s.add_env({{"FLEET_ID", "fleet-env"}, {"MAX_CONCURRENCY", "4"}});
  s.add_flags({"--max-concurrency", "5"}, {"MAX_CONCURRENCY", "FLEET_ID", "AGENT_ID"});

  EXPECT_EQ(s.text("AGENT_ID", ""), "from-file");
  EXPECT_EQ(s.origin("AGENT_ID"), "knight.yaml");
  EXPECT_EQ(s.text("FLEET_ID", ""), "fleet-env");
  EXPECT_EQ(s.origin("FLEET_ID"), "environment FLEET_ID");
  EXPECT_EQ(s.integer("MAX_CONCURRENCY", 2, 1, 64), 5);
  EXPECT_EQ(s.origin("MAX_CONCURRENCY"), "flag --max-concurrency");
  EXPECT_EQ(s.origin("NATS_URL"), "default");
  EXPECT_FALSE(s.raw("NATS_URL").has_value());
  EXPECT_EQ(s.text("NATS_URL", "nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
}

TEST(Settings, FlagForms) {
  Settings s;
  auto positional = s.add_flags({"ask", "--fleet-id=fleet-a", "--agent-id", "galahad", "--verbose", "security.briefing",
                                 "--dry-run=false", "--gateway-url=http://x/?a=b"},
                                {"FLEET_ID", "AGENT_ID", "GATEWAY_URL"}, {"VERBOSE", "DRY_RUN"});
  EXPECT_EQ(positional, (std::vector<std::string>{"ask", "security.briefing"}));
  EXPECT_EQ(s.text("FLEET_ID", ""), "fleet-a");
  EXPECT_EQ(s.text("AGENT_ID", ""), "galahad");
  EXPECT_EQ(s.text("GATEWAY_URL", ""), "http://x/?a=b") << "only the first '=' separates";
  EXPECT_TRUE(s.boolean("VERBOSE", false));
  EXPECT_FALSE(s.boolean("DRY_RUN", true));
  EXPECT_EQ(s.origin("VERBOSE"), "flag --verbose");
}

TEST(Settings, UnknownFlagFails) {
  Settings s;
  auto error = config_error([&] { s.add_flags({"--fleet-id", "a", "--bogus-thing=1"}, {"FLEET_ID"}); });
  EXPECT_THAT(error.what(), HasSubstr("unknown flag --bogus-thing"));
  EXPECT_EQ(error.setting(), "BOGUS_THING");
}

TEST(Settings, FlagWithoutValueFails) {
  Settings s;
  auto error = config_error([&] { s.add_flags({"--fleet-id"}, {"FLEET_ID"}); });
  EXPECT_THAT(error.what(), HasSubstr("--fleet-id needs a value"));
  EXPECT_EQ(error.setting(), "FLEET_ID");
}

TEST(Settings, BooleanForms) {
  Settings s;
  s.add_env({{"T1", "true"}, {"T2", "1"}, {"T3", "yes"}, {"T4", "on"}, {"T5", "TRUE"},
             {"F1", "false"}, {"F2", "0"}, {"F3", "no"}, {"F4", "off"}, {"F5", "Off"},
             {"EMPTY", ""}, {"BAD", "maybe"}});
  for (const char* name : {"T1", "T2", "T3", "T4", "T5"}) EXPECT_TRUE(s.boolean(name, false)) << name;
  for (const char* name : {"F1", "F2", "F3", "F4", "F5"}) EXPECT_FALSE(s.boolean(name, true)) << name;
  EXPECT_TRUE(s.boolean("EMPTY", true)) << "empty counts as unset";
  EXPECT_FALSE(s.boolean("UNSET", false));
  auto error = config_error([&] { s.boolean("BAD", false); });
  EXPECT_THAT(error.what(), HasSubstr("invalid setting BAD (from environment BAD): expected true or false, got 'maybe'"));
  EXPECT_EQ(error.setting(), "BAD");
}

TEST(Settings, IntegerErrorsNameSettingAndOrigin) {
  Settings s;
  s.add_file({{"MAX_DELIVER", "lots"}}, "knight.yaml");
  s.add_env({{"MAX_CONCURRENCY", "0"}, {"HEALTH_PORT", "8080x"}, {"STREAM_REPLICAS", "99999999999999999999999"}});
  s.add_flags({"--max-ack-pending=1001"}, {"MAX_ACK_PENDING"});
  auto e1 = config_error([&] { s.integer("MAX_DELIVER", 5, 1, 100); });
  EXPECT_THAT(e1.what(), HasSubstr("invalid setting MAX_DELIVER (from knight.yaml): expected an integer from 1 to 100, got 'lots'"));
  auto e2 = config_error([&] { s.integer("MAX_CONCURRENCY", 2, 1, 64); });
  EXPECT_THAT(e2.what(), HasSubstr("MAX_CONCURRENCY (from environment MAX_CONCURRENCY)"));
  EXPECT_THAT(e2.what(), HasSubstr("got '0'"));
  auto e3 = config_error([&] { s.integer("HEALTH_PORT", 8080, 1, 65535); });
  EXPECT_THAT(e3.what(), HasSubstr("HEALTH_PORT (from environment HEALTH_PORT)"));
  auto e4 = config_error([&] { s.integer("STREAM_REPLICAS", 1, 1, 5); });
  EXPECT_THAT(e4.what(), HasSubstr("STREAM_REPLICAS"));
  auto e5 = config_error([&] { s.integer("MAX_ACK_PENDING", 1000, 1, 1000); });
  EXPECT_THAT(e5.what(), HasSubstr("MAX_ACK_PENDING (from flag --max-ack-pending)"));
  EXPECT_EQ(e5.setting(), "MAX_ACK_PENDING");
  EXPECT_EQ(s.integer("UNSET", 7, 1, 10), 7);
  Settings ok;
  ok.add_env({{"N", "-3"}});
  EXPECT_EQ(ok.integer("N", 0, -10, 10), -3);
}

TEST(Settings, DurationGetters) {
  Settings s;
  s.add_env({{"ACK_WAIT", "45s"}, {"BACKOFF", "1s, 5s,1m"}, {"SHUTDOWN_GRACE", "soon"}, {"RETRY", "1s,,2s"}});
  EXPECT_EQ(s.duration("ACK_WAIT", 30s), 45s);
  EXPECT_EQ(s.duration("HEARTBEAT_INTERVAL", 30s), 30s);
  EXPECT_EQ(s.duration_list("BACKOFF", {}), (std::vector<std::chrono::milliseconds>{1s, 5s, 1min}));
  EXPECT_EQ(s.duration_list("UNSET", {2s}), std::vector<std::chrono::milliseconds>{2s});
  auto e1 = config_error([&] { s.duration("SHUTDOWN_GRACE", 25s); });
  EXPECT_THAT(e1.what(), HasSubstr("invalid setting SHUTDOWN_GRACE (from environment SHUTDOWN_GRACE): expected a duration"));
  EXPECT_THAT(e1.what(), HasSubstr("got 'soon'"));
  auto e2 = config_error([&] { s.duration_list("RETRY", {}); });
  EXPECT_THAT(e2.what(), HasSubstr("invalid setting RETRY (from environment RETRY): expected a comma list of durations"));
}

TEST(Settings, ListIdentifierAndChoiceGetters) {
  Settings s;
  s.add_env({{"TASK_DOMAINS", "security, home ,"}, {"BAD_DOMAINS", "security,Home"}, {"COMMAS", " , ,"},
             {"FLEET_ID", "fleet-a"}, {"AGENT_ID", "Gala.had"}, {"GATEWAY_MODE", "openai"}, {"LOG_FORMAT", "xml"}});
  EXPECT_EQ(s.list("TASK_DOMAINS", {}), (std::vector<std::string>{"security", "home"}));
  EXPECT_EQ(s.identifier_list("TASK_DOMAINS", {}), (std::vector<std::string>{"security", "home"}));
  EXPECT_EQ(s.list("UNSET", {"x"}), std::vector<std::string>{"x"});
  auto e1 = config_error([&] { s.list("COMMAS", {}); });
  EXPECT_THAT(e1.what(), HasSubstr("invalid setting COMMAS (from environment COMMAS): expected a non-empty comma list"));
  auto e2 = config_error([&] { s.identifier_list("BAD_DOMAINS", {}); });
  EXPECT_THAT(e2.what(), HasSubstr("BAD_DOMAINS (from environment BAD_DOMAINS)"));
  auto e3 = config_error([&] { s.identifier_list("NO_DOMAINS", {}); });
  EXPECT_THAT(e3.what(), HasSubstr("missing setting NO_DOMAINS"));
  EXPECT_EQ(e3.setting(), "NO_DOMAINS");

  EXPECT_EQ(s.identifier("FLEET_ID", std::nullopt), "fleet-a");
  EXPECT_EQ(s.identifier("UNSET_ID", std::string("dflt")), "dflt");
  auto e4 = config_error([&] { s.identifier("AGENT_ID", std::nullopt); });
  EXPECT_THAT(e4.what(), HasSubstr("invalid setting AGENT_ID (from environment AGENT_ID): expected an identifier"));
  EXPECT_THAT(e4.what(), HasSubstr("got 'Gala.had'"));
  auto e5 = config_error([&] { s.identifier("MISSING_ID", std::nullopt); });
  EXPECT_THAT(e5.what(), HasSubstr("missing setting MISSING_ID"));
  EXPECT_THAT(e5.what(), HasSubstr("--missing-id"));

  EXPECT_EQ(s.choice("GATEWAY_MODE", "webhook", {"webhook", "openai"}), "openai");
  EXPECT_EQ(s.choice("UNSET_MODE", "webhook", {"webhook", "openai"}), "webhook");
  auto e6 = config_error([&] { s.choice("LOG_FORMAT", "json", {"json", "text"}); });
  EXPECT_THAT(e6.what(), HasSubstr("invalid setting LOG_FORMAT (from environment LOG_FORMAT): expected one of json|text, got 'xml'"));
}

TEST(Settings, OptionalTextTreatsEmptyAsUnset) {
  Settings s;
  s.add_env({{"NATS_TOKEN", ""}, {"NATS_USER", "bob"}});
  EXPECT_FALSE(s.optional_text("NATS_TOKEN").has_value());
  EXPECT_TRUE(s.raw("NATS_TOKEN").has_value());
  EXPECT_EQ(s.optional_text("NATS_USER"), std::optional<std::string>("bob"));
  EXPECT_EQ(s.text("NATS_TOKEN", "fallback"), "fallback");
}

TEST(Settings, LongValuesAreCutInErrors) {
  Settings s;
  s.add_env({{"ACK_WAIT", std::string(500, 'z')}});
  auto error = config_error([&] { s.duration("ACK_WAIT", 30s); });
  EXPECT_LT(std::string(error.what()).size(), 300u);
  EXPECT_THAT(error.what(), HasSubstr("..."));
}

class KnightFile : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("rt-knight-file"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& text) {
    auto path = dir_ / "knight.yaml";
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(KnightFile, MapsToSettingNames) {
  auto path = write(
      "name: galahad\n"
      "fleet: fleet-a\n"
      "domains: [security, home]\n"
      "model:\n"
      "  name: claude-x\n"
      "soul: SOUL.md\n"
      "bridge:\n"
      "  max_concurrency: 3\n"
      "  ack-wait: 45s\n"
      "  backoff: [1s, 5s]\n"
      "  streams_auto_create: false\n");
  auto values = read_knight_file_settings(path);
  EXPECT_EQ(values.at("AGENT_ID"), "galahad");
  EXPECT_EQ(values.at("FLEET_ID"), "fleet-a");
  EXPECT_EQ(values.at("TASK_DOMAINS"), "security,home");
  EXPECT_EQ(values.at("MODEL_NAME"), "claude-x");
  EXPECT_EQ(values.at("MAX_CONCURRENCY"), "3");
  EXPECT_EQ(values.at("ACK_WAIT"), "45s");
  EXPECT_EQ(values.at("BACKOFF"), "1s,5s");
  EXPECT_EQ(values.at("STREAMS_AUTO_CREATE"), "false");
  EXPECT_FALSE(values.count("SOUL"));
  EXPECT_EQ(values.size(), 8u);

  // Layered under the environment.
  Settings s;
  s.add_file(values, path.string());
  s.add_env({{"MAX_CONCURRENCY", "4"}});
  EXPECT_EQ(s.integer("MAX_CONCURRENCY", 2, 1, 64), 4);
  EXPECT_EQ(s.identifier_list("TASK_DOMAINS", {}), (std::vector<std::string>{"security", "home"}));
  EXPECT_EQ(s.duration("ACK_WAIT", 30s), 45s);
  EXPECT_EQ(s.origin("ACK_WAIT"), path.string());
}

TEST_F(KnightFile, ScalarDomainsAndMissingKeys) {
  auto values = read_knight_file_settings(write("name: percival\ndomains: research\n"));
  EXPECT_EQ(values.at("AGENT_ID"), "percival");
  EXPECT_EQ(values.at("TASK_DOMAINS"), "research");
  EXPECT_FALSE(values.count("FLEET_ID"));
}

TEST_F(KnightFile, BrokenYamlNamesFileAndLine) {
  auto path = write(
      "name: galahad\n"
      "fleet: fleet-a\n"
      "domains: [security, home\n"
      "bridge:\n"
      "  max_concurrency: 3\n");
  auto error = config_error([&] { read_knight_file_settings(path); });
  EXPECT_THAT(error.what(), HasSubstr(path.string() + ":"));
  EXPECT_EQ(error.setting(), "knight.yaml");

  auto tab_path = write(
      "name: galahad\n"
      "fleet: fleet-a\n"
      "bridge:\n"
      "  max_concurrency: 3\n"
      " bad indent: [\n");
  auto tab_error = config_error([&] { read_knight_file_settings(tab_path); });
  EXPECT_THAT(tab_error.what(), HasSubstr(tab_path.string() + ":5:"));
}

TEST_F(KnightFile, WrongShapes) {
  auto list_root = config_error([&] { read_knight_file_settings(write("- a\n- b\n")); });
  EXPECT_THAT(list_root.what(), HasSubstr("expected a mapping at the top level"));
  auto map_value = config_error([&] { read_knight_file_settings(write("name: galahad\nbridge:\n  backoff:\n    a: 1\n")); });
  EXPECT_THAT(map_value.what(), HasSubstr(":4:"));
  auto missing = config_error([&] { read_knight_file_settings(dir_ / "nope.yaml"); });
  EXPECT_THAT(missing.what(), HasSubstr("nope.yaml: cannot be read"));
}

}  // namespace
}  // namespace rt::config
