// roundtable dashboard against a real fleet: nats-server, redis-server, a knight-gateway (its LLM
// a scripted stand-in speaking the Anthropic API) and a nats-bridge, and the page in a real
// browser (Debian's chromium driven by playwright-core, tests/interop/dashboard_playwright.mjs).
#include <cstdlib>

#include <httplib.h>

#include "cli_support.hpp"
#include "fixtures/bridge_harness.hpp"
#include "fixtures/gateway_harness.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kHostile = R"(<img src=x onerror="window.__xss=1">)";

GatewayReply priced_answer(const std::string& text) {
  json body = {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-sonnet-4-5-20250929"},
               {"content", json::array({{{"type", "text"}, {"text", text}}})}, {"stop_reason", "end_turn"},
               {"usage", {{"input_tokens", 1200}, {"output_tokens", 80}}}};
  return GatewayReply{200, "application/json", body.dump(), {}, {}};
}

// A running `roundtable dashboard`, with the address it printed.
struct Dashboard {
  ChildProcess process;
  std::string url;
  int port = 0;
  Dashboard(const NatsServer& nats, std::vector<std::string> args, std::map<std::string, std::string> env, const std::filesystem::path& log) {
    args.insert(args.begin(), {roundtable_binary(), "dashboard"});
    env.emplace("NATS_URL", nats.url());
    env.emplace("FLEET_ID", "fleet-a");
    process = ChildProcess(args, env, log);
    process.start();
  }
  bool wait_serving() {
    if (!eventually([&] { return process.output().find("dashboard of fleet") != std::string::npos; })) return false;
    auto line = line_with(process.output(), "dashboard of fleet");
    url = line.substr(line.find("http://"));
    port = std::stoi(url.substr(url.rfind(':') + 1));
    return true;
  }
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5, 0);
    return client.Get(path.c_str(), headers);
  }
};

bool browser_available(std::string& why) {
  if (!std::filesystem::exists("/usr/bin/chromium")) why = "no /usr/bin/chromium (make deps installs it)";
  else if (!std::filesystem::exists(std::string(RT_SOURCE_DIR) + "/tests/interop/node_modules/playwright-core"))
    why = "no playwright-core in tests/interop (make deps runs npm ci there)";
  else if (find_executable("node").empty()) why = "no node";
  return why.empty();
}

class CliDashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.start();
    bus_ = std::make_unique<TestBus>(nats_.url());
    bus_->apply_streams();
    dir_ = make_temp_dir("rt-dashboard");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  NatsServer nats_;
  RedisServer redis_;
  std::unique_ptr<TestBus> bus_;
  std::filesystem::path dir_;
};

TEST_F(CliDashboard, ShowsKnightsTasksDeadLettersAndHostileTextInARealBrowser) {
  std::string why;
  // `make deps` installs chromium and the npm packages: in CI a missing browser is a failure.
  if (!browser_available(why) && std::getenv("CI")) FAIL() << why;
  if (!browser_available(why)) GTEST_SKIP() << why;
  // A hostile heartbeat, stored before the dashboard starts (read back from the stream).
  json payload = {{"status", "healthy"}, {"model", kHostile}, {"capabilities", {"intel.lookup"}}, {"activeTaskCount", 0}};
  auto beat = contract::make_envelope("heartbeat", "mordred", payload, std::chrono::system_clock::now());
  beat.fleet = "fleet-a";
  ASSERT_TRUE(bus_->publish("fleet-a.heartbeat.mordred", beat, beat.id).ok());
  // A knight name is an identifier by contract; a forged heartbeat's need not be.
  auto forged = contract::make_envelope("heartbeat", "mordred", {{"status", "healthy"}}, std::chrono::system_clock::now());
  json forged_doc = json::parse(contract::serialize(forged));
  forged_doc["from"] = "<script>window.__xss=2</script>";
  ASSERT_TRUE(bus_->js().publish("fleet-a.heartbeat.forged", forged_doc.dump(), forged.id).ok());

  FakeGateway llm;
  ScriptedLlm script(llm);
  auto release = std::make_shared<Gate>();
  script.otherwise([release](const GatewayCall& call) {
    if (call.body.find("fail-7f3a") != std::string::npos) return http_error(500, R"({"type":"error","error":{"type":"api_error","message":"overloaded"}})");
    if (call.body.find("hold-7f3a") != std::string::npos) release->wait();
    return priced_answer("The walls hold " + kHostile + "\nand more");
  });
  TempWorkspace ws;
  GatewayProcess gateway(ws.dir(), {{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm.url()}, {"ANTHROPIC_API_KEY", "sk-ant-test-key"},
                                    {"LLM_MODEL", "claude-sonnet-4-5-20250929"}, {"AGENT_ID", "galahad"}, {"REDIS_URL", redis_.url()},
                                    {"LLM_RETRY_ATTEMPTS", "1"}, {"LLM_RETRY_BASE_DELAY", "10ms"}});
  gateway.start();
  ASSERT_TRUE(gateway.wait_ready()) << gateway.output();
  BridgeProcess bridge(nats_.url(), gateway.url(), {{"MAX_DELIVER", "1"}, {"HEARTBEAT_INTERVAL", "1s"}, {"MODEL_NAME", "claude-sonnet-4-5"},
                                                    {"CAPABILITIES", "security.briefing"}, {"REDIS_URL", redis_.url()}, {"LOG_LEVEL", "info"}});
  bridge.start();
  ASSERT_TRUE(bridge.wait_ready()) << bridge.output();

  Dashboard dashboard(nats_, {"--listen", "127.0.0.1:0", "--heartbeat-interval", "1s"}, {{"REDIS_URL", redis_.url()}}, dir_ / "dashboard.log");
  ASSERT_TRUE(dashboard.wait_serving()) << dashboard.process.output();
  // A task another knight answered within its bridge's CLAIM_NOTICE_AFTER: a request and a result,
  // no task.claimed, published once the dashboard listens (it reads the bus live). Its trace must
  // still show the attempt (from the result's durationMs).
  auto quick = contract::make_envelope("task.request", "tim", {{"task", "archive.lookup"}, {"params", json::object()}},
                                       std::chrono::system_clock::now());
  quick.fleet = "fleet-a";
  ASSERT_TRUE(bus_->publish("fleet-a.tasks.archive.lookup", quick, quick.id).ok());
  json answer = {{"status", "completed"},
                 {"result", {{"format", "markdown"}, {"content", "found"}, {"metadata", {{"attempt", 1}, {"durationMs", 40}, {"model", "m"}}}}}};
  auto quick_result = contract::make_envelope("task.result", "percival", answer, std::chrono::system_clock::now());
  quick_result.fleet = "fleet-a";
  quick_result.correlation_id = quick.id;
  ASSERT_TRUE(bus_->publish("fleet-a.results.archive." + quick.id, quick_result, "result-" + quick.id).ok());

  std::string screenshot = "/tmp/rt-dashboard-" + std::to_string(dashboard.port) + ".png";
  ChildProcess browser({find_executable("node"), std::string(RT_SOURCE_DIR) + "/tests/interop/dashboard_playwright.mjs"},
                       {{"DASHBOARD_URL", dashboard.url}, {"ROUNDTABLE", roundtable_binary()}, {"NATS_URL", nats_.url()},
                        {"BRIDGE_PID", std::to_string(bridge.process().pid())}, {"SCREENSHOT", screenshot}, {"QUICK_TASK_ID", quick.id}},
                       dir_ / "playwright.log");
  browser.start();
  // The script says RELEASE once the held task shows in flight; the LLM then answers it.
  bool released = eventually([&] { return browser.output().find("RELEASE") != std::string::npos || !browser.running(); }, 120s);
  release->open();
  auto exit_code = browser.wait(180s);
  EXPECT_TRUE(released);
  EXPECT_EQ(exit_code, std::optional<int>(0)) << browser.output() << "\n---- dashboard ----\n" << dashboard.process.output()
                                                << "\n---- bridge ----\n" << bridge.output().substr(0, 20000)
                                                << "\n---- gateway ----\n" << gateway.output().substr(0, 20000);
  EXPECT_NE(browser.output().find("OK"), std::string::npos) << browser.output();
  std::cerr << "screenshot: " << screenshot << "\n";
  if (!exit_code) browser.stop();
  dashboard.process.signal(SIGTERM);
  EXPECT_EQ(dashboard.process.wait(10s), std::optional<int>(0)) << dashboard.process.output();
}

TEST_F(CliDashboard, ExposedOnlyWithATokenReadOnlyAndBoundedInClients) {
  auto refused = roundtable(nats_, {"dashboard", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("needs --token or ROUNDTABLE_DASHBOARD_TOKEN"), std::string::npos) << refused.output;

  Dashboard dashboard(nats_, {"--listen", "127.0.0.1:0", "--max-clients", "1"}, {{"ROUNDTABLE_DASHBOARD_TOKEN", "s3cret-token"}},
                      dir_ / "dashboard.log");
  ASSERT_TRUE(dashboard.wait_serving()) << dashboard.process.output();
  auto anonymous = dashboard.get("/api/state");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(dashboard.get("/api/state", {{"Authorization", "Bearer wrong-token!"}})->status, 401);
  auto bearer = dashboard.get("/api/state", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_EQ(bearer->status, 200);
  EXPECT_EQ(json::parse(bearer->body)["fleet"], "fleet-a");
  // The token in the address is traded for a cookie once.
  auto first = dashboard.get("/?token=s3cret-token");
  ASSERT_EQ(first->status, 303);
  auto cookie = first->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  auto page = dashboard.get("/", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(dashboard.get("/app.js", {{"Authorization", "Bearer s3cret-token"}})->get_header_value("Content-Type"), "text/javascript; charset=utf-8");

  httplib::Client client("127.0.0.1", dashboard.port);
  auto post = client.Post("/api/state", {{"Authorization", "Bearer s3cret-token"}}, "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405) << "read-only";
  EXPECT_EQ(dashboard.get("/api/trace/0c4f9d0e-2a52-4c36-9a47-6e4f3f1f5b8e", {{"Authorization", "Bearer s3cret-token"}})->status, 404);

  // One live client at most (--max-clients 1): a second stream is refused while the first lasts.
  httplib::Client streaming("127.0.0.1", dashboard.port);
  std::atomic<bool> got_snapshot{false};
  std::thread first_stream([&] {
    streaming.Get("/api/events", {{"Authorization", "Bearer s3cret-token"}}, [&](const char* data, size_t size) {
      if (std::string(data, size).find("event: snapshot") != std::string::npos) got_snapshot = true;
      return true;
    });
  });
  EXPECT_TRUE(eventually([&] { return got_snapshot.load(); }));
  auto second = dashboard.get("/api/events", {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_TRUE(second && second->status == 503) << (second ? second->status : 0);
  streaming.stop();
  first_stream.join();
  dashboard.process.signal(SIGTERM);
  EXPECT_EQ(dashboard.process.wait(10s), std::optional<int>(0)) << dashboard.process.output();
}

TEST_F(CliDashboard, LoopbackWithoutTokenAnswersOnlyLoopbackHostNames) {
  Dashboard dashboard(nats_, {"--listen", "127.0.0.1:0"}, {}, dir_ / "dashboard.log");
  ASSERT_TRUE(dashboard.wait_serving()) << dashboard.process.output();
  EXPECT_EQ(dashboard.get("/api/state")->status, 200);
  EXPECT_EQ(dashboard.get("/api/state", {{"Host", "attacker.example:80"}})->status, 403) << "DNS rebinding";
  dashboard.process.signal(SIGTERM);
  EXPECT_EQ(dashboard.process.wait(10s), std::optional<int>(0)) << dashboard.process.output();
}

}  // namespace
}  // namespace rt::testing
