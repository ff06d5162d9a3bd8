// knight-gateway's HTTP surface under hostile or careless clients: idle keep-alive and silent
// connections, endless request heads, bursts, SIGTERM at any moment, unbounded paths, and the
// token-free metrics listener.
#include <gtest/gtest.h>

#include <httplib.h>

#include <csignal>
#include <future>
#include <latch>
#include <random>
#include <sstream>
#include <thread>

#include "fixtures/await.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/http_guard.hpp"
#include "fixtures/sanitizers.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kGrace = 3s;

std::string tail_of(const std::string& text, size_t bytes) { return text.size() > bytes ? text.substr(text.size() - bytes) : text; }

class GatewayHttpGuard : public ::testing::Test {
 protected:
  GatewayProcess& start(std::map<std::string, std::string> env = {}) {
    env.emplace("GATEWAY_SHUTDOWN_GRACE", "3s");
    gateway_ = std::make_unique<GatewayProcess>(ws_.dir(), env);
    gateway_->start();
    EXPECT_TRUE(gateway_->wait_ready()) << gateway_->output();
    return *gateway_;
  }
  void TearDown() override {
    if (HasFailure() && gateway_) std::cerr << "---- gateway log ----\n" << gateway_->output().substr(0, 20000) << "\n"
                                            << "---- gateway log, last 4000 bytes ----\n" << tail_of(gateway_->output(), 4000) << "\n";
  }
  static std::string webhook_request() {
    contract::TaskRequest request;
    request.task = "security.briefing";
    auto env = contract::make_envelope("task.request", "tim", contract::to_json(request), std::chrono::system_clock::now());
    std::string body = contract::serialize(env);
    return "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  TempWorkspace ws_;
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(GatewayHttpGuard, IdleKeepAliveAndSilentClientsDoNotDelaySigterm) {
  auto& gateway = start();
  RawConnection keep_alive(gateway.port());
  ASSERT_EQ(keep_alive.get("/health"), 200);
  RawConnection silent(gateway.port());
  ASSERT_TRUE(silent.valid());
  gateway.process().signal(SIGTERM);
  // A deadline of grace + 1 s, far below httplib's 60 s keep-alive wait.
  EXPECT_EQ(gateway.process().wait(kGrace + 1s), std::optional<int>(0));
}

TEST_F(GatewayHttpGuard, ARunningTaskFinishesAfterSigtermAndIdleClientsDoNotWait) {
  FakeGateway llm;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  llm.set_handler([released](const GatewayCall&) {
    released.wait();
    return anthropic_text("answered after SIGTERM");
  });
  auto& gateway = start({{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm.url()}, {"ANTHROPIC_API_KEY", "k"}});
  RawConnection idle(gateway.port());
  ASSERT_EQ(idle.get("/health"), 200);
  auto answer = std::async(std::launch::async, [&] { return gateway.task(); });
  ASSERT_TRUE(llm.wait_for_started(1));
  gateway.process().signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer()) << "idle connections close at once, not after the grace";
  release.set_value();
  auto [status, body] = answer.get();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["status"], "completed") << body.dump();
  EXPECT_EQ(gateway.process().wait(kGrace + 1s), std::optional<int>(0));
}

TEST_F(GatewayHttpGuard, ATaskOutlivingTheGraceDoesNotHoldTheExit) {
  FakeGateway llm;
  std::promise<void> release;  // broken at the end of the test, which frees the handler
  std::shared_future<void> released = release.get_future().share();
  llm.set_handler([released](const GatewayCall&) {
    released.wait();
    return anthropic_text("too late");
  });
  auto& gateway = start({{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm.url()}, {"ANTHROPIC_API_KEY", "k"}});
  auto answer = std::async(std::launch::async, [&] { return gateway.task(); });
  ASSERT_TRUE(llm.wait_for_started(1));
  gateway.process().signal(SIGTERM);
  // The exit deadline is the product's (grace + 1 s); a sanitizer's slower exit gets more.
  EXPECT_EQ(gateway.process().wait(kGrace + 1s + (kUnderSanitizer ? 10s : 0s)), std::optional<int>(0));
  EXPECT_EQ(answer.get().first, 0) << "the connection closed without an answer";
  EXPECT_NE(gateway.output().find("gateway.grace_expired"), std::string::npos);
}

TEST_F(GatewayHttpGuard, HealthAnswersWhileTwentyClientsIdle) {
  auto& gateway = start();
  std::vector<RawConnection> idle;
  for (int i = 0; i < 20; ++i) {
    idle.emplace_back(gateway.port());
    if (i % 2 == 0) {
      ASSERT_EQ(idle.back().get("/health"), 200) << i;
    }
  }
  RawConnection probe(gateway.port(), 10s);
  EXPECT_EQ(probe.get("/health"), 200);
}

TEST_F(GatewayHttpGuard, AHundredMegabyteHeadIsRefusedWithBoundedMemory) {
  auto& gateway = start();
  RawConnection flood(gateway.port(), 20s);
  int status = flood.send_endless_head(100u << 20);
  EXPECT_TRUE(status == 0 || status == 400 || status == 431) << status;
  EXPECT_LT(peak_resident_bytes(gateway.process().pid()), 64u << 20);
  RawConnection probe(gateway.port());
  EXPECT_EQ(probe.get("/health"), 200);
}

// A body is waited for outside the workers (2 x 8 + 4 of them): clients that stall inside their
// bodies, more of them than workers, leave /health answering. They held every worker for 30 s.
TEST_F(GatewayHttpGuard, ClientsStalledInTheirBodiesDoNotHoldTheWorkers) {
  auto& gateway = start();
  std::vector<RawConnection> stalled;
  for (int i = 0; i < 40; ++i) {
    stalled.emplace_back(gateway.port());
    ASSERT_TRUE(stalled.back().send("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")) << i;
  }
  RawConnection probe(gateway.port(), 10s);
  EXPECT_EQ(probe.get("/health"), 200);
}

// Neither Content-Length nor Transfer-Encoding: no body (RFC 9112), answered at once; httplib
// read to the end instead, so `curl -X POST` waited 30 s for a 400.
TEST_F(GatewayHttpGuard, APostWithoutALengthHasAnEmptyBody) {
  auto& gateway = start();
  RawConnection client(gateway.port(), 10s);
  ASSERT_TRUE(client.send("POST /tasks/0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f/cancel HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.read_status(), 202);
  // Only a task id is remembered: a long or odd one is refused (8 KB ids filled 195 MB).
  ASSERT_TRUE(client.send("POST /tasks/" + std::string(8000, 'a') + "/cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(client.read_status(), 400);
}

// Framing two servers could read two ways (a request smuggled behind a proxy) is refused and
// the connection closed, so nothing after it is read as a request.
TEST_F(GatewayHttpGuard, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  auto& gateway = start();
  for (const char* framing : {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n",
                              "Transfer-Encoding: chunked\r\n"}) {
    RawConnection client(gateway.port(), 10s);
    std::string body = std::string(framing).find("chunked") != std::string::npos && std::string(framing).find("Length") == std::string::npos
                           ? "-1\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                           : "0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(client.send(std::string("POST /webhook HTTP/1.1\r\nHost: x\r\n") + framing + "\r\n" + body));
    EXPECT_EQ(client.read_status(), 400) << framing;
    EXPECT_TRUE(client.closed_by_peer()) << framing << ": the smuggled GET was not answered";
  }
}

TEST_F(GatewayHttpGuard, AnEndlessChunkedBodyIsRefusedWithBoundedMemory) {
  auto& gateway = start();
  RawConnection upload(gateway.port(), 20s);
  int status = upload.send_endless_body("/webhook", 0, 64u << 20);
  EXPECT_TRUE(status == 0 || status == 413) << status;
  EXPECT_LT(peak_resident_bytes(gateway.process().pid()), 48u << 20);
  RawConnection probe(gateway.port());
  EXPECT_EQ(probe.get("/health"), 200);
}

TEST_F(GatewayHttpGuard, BurstOfTwoHundredWebhooksGetsAStatusEach) {
  auto& gateway = start({{"GATEWAY_MAX_CONCURRENCY", "2"}});
  const std::string request = webhook_request();
  constexpr int kClients = 200;
  std::vector<int> statuses(kClients, -1);
  std::vector<std::string> bodies(kClients);
  std::latch go(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      go.arrive_and_wait();
      RawConnection connection(gateway.port(), 30s);
      statuses[i] = connection.valid() && connection.send(request) ? connection.read_status(&bodies[i]) : 0;
    });
  for (auto& t : clients) t.join();
  int ok = 0, busy = 0;
  for (size_t i = 0; i < statuses.size(); ++i) {
    const int status = statuses[i];
    EXPECT_TRUE(status == 200 || status == 503) << status << " " << bodies[i];
    ok += status == 200;
    busy += status == 503;
  }
  EXPECT_GT(ok, 0);
  std::cerr << ok << " answered, " << busy << " busy\n";
}

TEST_F(GatewayHttpGuard, SigtermWhileStartingExitsPromptly) {
  for (int round = 0; round < 3; ++round) {
    GatewayProcess gateway(ws_.dir(), {{"GATEWAY_SHUTDOWN_GRACE", "3s"}});
    gateway.start();
    ASSERT_TRUE(wait_first_log_line(gateway.process(), 20s)) << gateway.output();
    gateway.process().signal(SIGTERM);
    EXPECT_EQ(gateway.process().wait(kGrace + 1s), std::optional<int>(0)) << round << "\n" << gateway.output();
  }
  // Before any signal handling is set up the default action ends it: still at once.
  GatewayProcess early(ws_.dir(), {{"GATEWAY_SHUTDOWN_GRACE", "3s"}});
  early.start();
  early.process().signal(SIGTERM);
  auto code = early.process().wait(kGrace + 1s);
  ASSERT_TRUE(code.has_value());
  EXPECT_TRUE(*code == 0 || *code == 128 + SIGTERM) << *code;
}

TEST_F(GatewayHttpGuard, RequestCounterSeriesStayBoundedUnderRandomPaths) {
  auto& gateway = start();
  httplib::Client client("127.0.0.1", gateway.port());
  client.set_keep_alive(true);
  std::mt19937_64 random(42);
  for (int i = 0; i < 3000; ++i) {
    auto res = client.Get(("/probe-" + std::to_string(random())).c_str());
    ASSERT_TRUE(res) << i;
    ASSERT_EQ(res->status, 404);
  }
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  size_t series = 0;
  std::istringstream lines(metrics->body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("roundtable_gateway_requests_total{", 0) == 0) ++series;
  EXPECT_LE(series, 10u);
  EXPECT_NE(metrics->body.find("roundtable_gateway_requests_total{endpoint=\"other\",status=\"404\"} 3000"), std::string::npos)
      << metrics->body.substr(0, 4000);
}

TEST_F(GatewayHttpGuard, MetricsListenerServesMetricsWithoutTheToken) {
  // Port 0: the gateway picks one and logs it, so no other test can take it first.
  auto& gateway = start({{"GATEWAY_TOKEN", "sesame"}, {"GATEWAY_METRICS_LISTEN", "127.0.0.1:0"}});
  int metrics_port = 0;
  std::istringstream log(gateway.output());
  for (std::string line; std::getline(log, line);)
    if (auto entry = nlohmann::json::parse(line, nullptr, false); entry.is_object() && entry.value("event", "") == "gateway.metrics_listening")
      metrics_port = entry.value("port", 0);
  ASSERT_GT(metrics_port, 0) << gateway.output();
  httplib::Client scraper("127.0.0.1", metrics_port);
  auto scraped = scraper.Get("/metrics");
  ASSERT_TRUE(scraped);
  EXPECT_EQ(scraped->status, 200);
  EXPECT_NE(scraped->body.find("roundtable_gateway_in_flight"), std::string::npos);
  auto other = scraper.Get("/health");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404) << "the metrics listener serves /metrics alone";
  httplib::Client main("127.0.0.1", gateway.port());
  auto refused = main.Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto allowed = main.Get("/metrics", {{"Authorization", "Bearer sesame"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
}

}  // namespace
}  // namespace rt::testing
