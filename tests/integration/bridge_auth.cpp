// nats-bridge against nats-servers that demand user/password, a token, or mutual TLS.
#include <gtest/gtest.h>

#include <fstream>

#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/servers.hpp"

namespace rt::testing {
namespace {

struct AuthCase {
  std::string server_config;
  std::map<std::string, std::string> bridge_env;
  nats::NatsSettings bus_settings;
  std::vector<std::string> secrets;
};

void expect_task_completes(AuthCase& c) {
  NatsServer nats(c.server_config);
  FakeGateway gateway;
  c.bus_settings.servers = {nats.url()};
  Bus bus(c.bus_settings);
  BridgeProcess bridge(nats.url(), gateway.url(), c.bridge_env);
  bridge.start();
  // Both logs on failure: the server names a refused login ("authentication error") too. Exit
  // code 127 with no output: the binary could not be executed (e.g. relinked meanwhile).
  auto logs = [&] {
    auto code = bridge.process().wait(std::chrono::milliseconds(0));
    return "bridge " + (code ? "exited " + std::to_string(*code) : std::string("running")) + ":\n" + bridge.output() +
           "\n---- nats-server ----\n" + nats.output();
  };
  ASSERT_TRUE(bridge.wait_ready()) << logs();
  auto task = bus.publish_task("security.briefing");
  auto result = bus.wait_result(task.id);
  ASSERT_TRUE(result) << logs();
  EXPECT_EQ((*result)["payload"]["status"], "completed");
  for (const auto& secret : c.secrets) EXPECT_EQ(bridge.output().find(secret), std::string::npos) << "secret in the log";
}

TEST(BridgeAuth, UserAndPassword) {
  AuthCase c;
  c.server_config = "authorization { user: knight, password: \"pa55-word-x\" }";
  c.bridge_env = {{"NATS_USER", "knight"}, {"NATS_PASSWORD", "pa55-word-x"}};
  c.bus_settings.user = "knight";
  c.bus_settings.password = "pa55-word-x";
  c.secrets = {"pa55-word-x"};
  expect_task_completes(c);
}

TEST(BridgeAuth, Token) {
  AuthCase c;
  c.server_config = "authorization { token: \"t0ken-abc-123\" }";
  c.bridge_env = {{"NATS_TOKEN", "t0ken-abc-123"}};
  c.bus_settings.token = "t0ken-abc-123";
  c.secrets = {"t0ken-abc-123"};
  expect_task_completes(c);
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
std::filesystem::path make_certificates() {
  auto dir = make_temp_dir("rt-tls");
  auto run = [&](std::vector<std::string> argv) {
    auto result = run_command(argv);
    if (result.exit_code != 0) throw std::runtime_error("openssl failed: " + result.output);
  };
  std::string d = dir.string();
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
  std::ofstream(dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
  std::string openssl = find_executable("openssl");
  run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "/ca.key",
       "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=roundtable-test-ca"});
  for (std::string name : {"server", "client"}) {
    run({openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "/" + name + ".key",
         "-out", d + "/" + name + ".csr", "-subj", "/CN=" + name});
    run({openssl, "x509", "-req", "-in", d + "/" + name + ".csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial",
         "-out", d + "/" + name + ".pem", "-days", "2", "-extfile", d + "/" + name + ".ext"});
  }
  return dir;
}

TEST(BridgeAuth, MutualTls) {
  auto certs = make_certificates();
  std::string d = certs.string();
  AuthCase c;
  c.server_config = "tls { cert_file: \"" + d + "/server.pem\", key_file: \"" + d + "/server.key\", ca_file: \"" + d +
                    "/ca.pem\", verify: true }";
  c.bridge_env = {{"NATS_TLS_CA", d + "/ca.pem"}, {"NATS_TLS_CERT", d + "/client.pem"}, {"NATS_TLS_KEY", d + "/client.key"}};
  c.bus_settings.tls_ca = d + "/ca.pem";
  c.bus_settings.tls_cert = d + "/client.pem";
  c.bus_settings.tls_key = d + "/client.key";
  expect_task_completes(c);
  std::filesystem::remove_all(certs);
}

TEST(BridgeAuth, CredsFileInOperatorMode) {
  // An operator, an account and a user signed as NATS JWTs; the server runs in operator mode.
  auto dir = make_temp_dir("rt-creds");
  auto made = run_command({"/usr/bin/python3", std::string(RT_SOURCE_DIR) + "/tests/scripts/make_nats_creds.py", dir.string()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::ifstream operator_conf(dir / "operator.conf");
  std::string server_config((std::istreambuf_iterator<char>(operator_conf)), {});
  AuthCase c;
  c.server_config = server_config;
  c.bridge_env = {{"NATS_CREDS", (dir / "user.creds").string()}};
  c.bus_settings.creds_file = (dir / "user.creds").string();
  expect_task_completes(c);
  std::filesystem::remove_all(dir);
}

TEST(BridgeAuth, WrongPasswordStopsWithExitTwoAndTheReason) {
  NatsServer nats("authorization { user: knight, password: \"right-one\" }");
  FakeGateway gateway;
  BridgeProcess bridge(nats.url(), gateway.url(), {{"NATS_USER", "knight"}, {"NATS_PASSWORD", "wrong-guess-77"}});
  bridge.start();
  auto code = bridge.process().wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value()) << "the bridge should stop, not hang";
  EXPECT_EQ(*code, 2);
  EXPECT_NE(bridge.output().find("Authorization Violation"), std::string::npos) << bridge.output();
  EXPECT_NE(bridge.output().find("NATS_PASSWORD"), std::string::npos);
  EXPECT_EQ(bridge.output().find("wrong-guess-77"), std::string::npos) << "secret in the log";
}

TEST(BridgeAuth, MissingTlsFileIsAConfigurationError) {
  BridgeProcess bridge("nats://127.0.0.1:1", "http://127.0.0.1:1", {{"NATS_TLS_CA", "/nonexistent/ca.pem"}});
  bridge.start();
  auto code = bridge.process().wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(bridge.output().find("NATS_TLS_CA"), std::string::npos);
}

}  // namespace
}  // namespace rt::testing
