// roundtable mcp at the protocol's edges: version negotiation, errors, cancellation, shutdown,
// late answers, and the Streamable HTTP transport's sessions, origin/host checks, token and caps.
#include <httplib.h>
#include <signal.h>

#include <regex>

#include "cli_mcp_peer.hpp"
#include "cli_support.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class McpProtocol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nats_ = new NatsServer();
    bus_ = new TestBus(nats_->url());
    bus_->apply_streams();
  }
  static void TearDownTestSuite() {
    delete bus_;
    delete nats_;
  }
  static std::map<std::string, std::string> env() { return {{"NATS_URL", nats_->url()}, {"FLEET_ID", "fleet-a"}}; }

  std::unique_ptr<StdioPeer> stdio(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{roundtable_binary(), "mcp"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<StdioPeer>(argv, env(), make_temp_dir("rt-mcp") / "stderr.log");
  }
  static json initialize(StdioPeer& peer, const std::string& version, int id = 1) {
    peer.request(id, "initialize", {{"protocolVersion", version}, {"capabilities", json::object()}, {"clientInfo", {{"name", "gtest"}, {"version", "1"}}}});
    auto reply = peer.response(id);
    return reply ? *reply : json();
  }
  static json call(StdioPeer& peer, int id, const std::string& tool, json arguments) {
    peer.request(id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    auto reply = peer.response(id);
    return reply ? *reply : json();
  }
  static std::string text_of(const json& reply) { return reply["result"]["content"][0].value("text", ""); }

  static NatsServer* nats_;
  static TestBus* bus_;
};

NatsServer* McpProtocol::nats_ = nullptr;
TestBus* McpProtocol::bus_ = nullptr;

TEST_F(McpProtocol, StdioNegotiatesTheVersionAnswersPingAndRefusesWhatItDoesNotKnow) {
  auto peer = stdio();
  auto old = initialize(*peer, "2024-11-05");
  EXPECT_EQ(old["result"]["protocolVersion"], "2024-11-05") << old;
  EXPECT_EQ(old["result"]["serverInfo"]["name"], "roundtable");
  EXPECT_FALSE(old["result"]["serverInfo"]["version"].get<std::string>().empty());
  EXPECT_TRUE(old["result"]["capabilities"].contains("tools"));
  EXPECT_TRUE(old["result"]["capabilities"].contains("resources"));
  auto unknown = initialize(*peer, "1999-01-01", 2);
  EXPECT_EQ(unknown["result"]["protocolVersion"], "2025-11-25") << "an unknown revision is answered with the latest";
  peer->notify("notifications/initialized");

  peer->request(3, "ping");
  auto pong = peer->response(3);
  ASSERT_TRUE(pong) << peer->log();
  EXPECT_EQ((*pong)["result"], json::object());
  peer->request(4, "prompts/list");
  EXPECT_EQ((*peer->response(4))["error"]["code"], -32601);
  peer->request(5, "tools/call", {{"name", "joust"}, {"arguments", json::object()}});
  EXPECT_EQ((*peer->response(5))["error"]["code"], -32602);
  peer->request(6, "tools/call", json::object());
  EXPECT_EQ((*peer->response(6))["error"]["code"], -32602);
  peer->send_line("this is not json");
  auto parse_error = peer->next();
  ASSERT_TRUE(parse_error);
  EXPECT_EQ((*parse_error)["error"]["code"], -32700);
  EXPECT_TRUE((*parse_error)["id"].is_null());
  peer->send_line(R"({"jsonrpc":"1.0","id":7,"method":"ping"})");
  EXPECT_EQ((*peer->response(7))["error"]["code"], -32600);

  peer->close_stdin();
  EXPECT_EQ(peer->wait_exit(30s), std::optional<int>(0)) << peer->log();
  for (const auto& line : peer->lines()) {
    auto doc = json::parse(line, nullptr, false);
    EXPECT_TRUE(doc.is_object() && doc["jsonrpc"] == "2.0") << "stdout carries nothing but protocol: " << line;
  }
  EXPECT_NE(peer->log().find("mcp.ready"), std::string::npos) << "logs go to stderr";
}

TEST_F(McpProtocol, ToolFailuresAreResultsWithIsErrorAndAClearText) {
  // A knight whose last heartbeat is ten minutes old.
  auto beat = contract::make_envelope("heartbeat", "tristan", {{"status", "healthy"}, {"domains", {"observability"}}},
                                      std::chrono::system_clock::now() - std::chrono::minutes(10));
  beat.fleet = "fleet-a";
  ASSERT_TRUE(bus_->publish("fleet-a.heartbeat.tristan", beat, beat.id).ok());

  auto peer = stdio({"--max-deadline", "10m"});
  initialize(*peer, "2025-11-25");
  auto no_task = call(*peer, 2, "ask", {{"domain", "security"}});
  EXPECT_TRUE(no_task["result"]["isError"].get<bool>()) << no_task;
  EXPECT_NE(text_of(no_task).find("task is required"), std::string::npos) << no_task;
  auto bad_deadline = call(*peer, 3, "ask", {{"task", "security.briefing"}, {"deadline", "soon"}});
  EXPECT_TRUE(bad_deadline["result"]["isError"].get<bool>());
  EXPECT_NE(text_of(bad_deadline).find("deadline must be a duration"), std::string::npos) << bad_deadline;
  auto long_deadline = call(*peer, 4, "ask", {{"task", "security.briefing"}, {"deadline", "1h"}});
  EXPECT_NE(text_of(long_deadline).find("longer than the server allows"), std::string::npos) << long_deadline;
  auto stale = call(*peer, 5, "ask", {{"knight", "tristan"}, {"task", "health"}});
  EXPECT_TRUE(stale["result"]["isError"].get<bool>());
  EXPECT_NE(text_of(stale).find("stale"), std::string::npos) << stale;
  auto mismatch = call(*peer, 6, "ask", {{"domain", "comms"}, {"task", "security.briefing"}});
  EXPECT_NE(text_of(mismatch).find("is in domain security, not comms"), std::string::npos) << mismatch;
  auto timeout = call(*peer, 7, "ask", {{"domain", "nobody-home"}, {"task", "briefing"}, {"deadline", "1s"}});
  EXPECT_TRUE(timeout["result"]["isError"].get<bool>());
  EXPECT_EQ(timeout["result"]["structuredContent"]["status"], "timeout") << timeout;
  EXPECT_NE(text_of(timeout).find("no answer to nobody-home.briefing within 1s"), std::string::npos) << timeout;
  auto nobody_live = call(*peer, 8, "fanout", {{"task", "briefing"}});
  EXPECT_TRUE(nobody_live["result"]["isError"].get<bool>());
  EXPECT_NE(text_of(nobody_live).find("no live knight"), std::string::npos) << nobody_live;
  auto roster = call(*peer, 9, "knights", json::object());
  EXPECT_EQ(roster["result"]["structuredContent"]["knights"].size(), 0u) << "stale knights are left out: " << roster;
  auto with_stale = call(*peer, 10, "knights", {{"includeStale", true}});
  ASSERT_EQ(with_stale["result"]["structuredContent"]["knights"].size(), 1u) << with_stale;
  EXPECT_EQ(with_stale["result"]["structuredContent"]["knights"][0]["status"], "stale");
  peer->close_stdin();
  EXPECT_EQ(peer->wait_exit(30s), std::optional<int>(0));
}

TEST_F(McpProtocol, ALateAnswerIsReadFromTheResultsStreamAsAResource) {
  auto peer = stdio();
  initialize(*peer, "2025-11-25");
  auto timeout = call(*peer, 2, "ask", {{"domain", "late"}, {"task", "report"}, {"deadline", "500ms"}});
  std::string id = timeout["result"]["structuredContent"]["taskId"];
  std::string uri = "roundtable://results/" + id;
  peer->request(3, "resources/read", {{"uri", uri}});
  auto pending = peer->response(3);
  ASSERT_TRUE(pending);
  EXPECT_EQ(json::parse((*pending)["result"]["contents"][0]["text"].get<std::string>())["status"], "pending") << *pending;

  contract::Envelope task;
  task.id = id;
  task.fleet = "fleet-a";
  ASSERT_TRUE(bus_->publish("fleet-a.results.late." + id, result_envelope("kay", task, "late but here"), "result-" + id).ok());
  peer->request(4, "resources/read", {{"uri", uri}});
  auto late = peer->response(4);
  ASSERT_TRUE(late);
  auto doc = json::parse((*late)["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(doc["status"], "completed") << doc;
  EXPECT_EQ(doc["content"], "late but here");
  EXPECT_EQ(doc["agent"], "kay");
  peer->request(5, "resources/list");
  auto list = peer->response(5);
  ASSERT_TRUE(list);
  EXPECT_NE((*list)["result"].dump().find(uri), std::string::npos) << *list;
  peer->request(6, "resources/read", {{"uri", "roundtable://results/../../etc/passwd"}});
  EXPECT_EQ((*peer->response(6))["error"]["code"], -32002);
  peer->close_stdin();
  EXPECT_EQ(peer->wait_exit(30s), std::optional<int>(0));
}

TEST_F(McpProtocol, ACancelledCallGetsNoResponseAndPingIsAnsweredWhileItWaits) {
  auto peer = stdio();
  initialize(*peer, "2025-11-25");
  peer->request(2, "tools/call",
                {{"name", "ask"}, {"arguments", {{"domain", "slow"}, {"task", "think"}, {"deadline", "5m"}}}, {"_meta", {{"progressToken", "p-1"}}}});
  ASSERT_TRUE(eventually([&] {
    peer->request(100, "ping");
    peer->response(100);
    for (const auto& m : peer->seen())
      if (m.value("method", "") == "notifications/progress" && m["params"]["progressToken"] == "p-1") return true;
    return false;
  })) << "the call reports progress when asked to";
  peer->request(3, "ping");
  ASSERT_TRUE(peer->response(3)) << "ping is answered while a call waits";
  peer->notify("notifications/cancelled", {{"requestId", 2}, {"reason", "changed my mind"}});
  peer->close_stdin();
  // EOF lets running calls finish: this one ends at once because it was cancelled, not in 5m.
  EXPECT_EQ(peer->wait_exit(60s), std::optional<int>(0)) << peer->log();
  for (const auto& line : peer->lines()) {
    auto doc = json::parse(line, nullptr, false);
    EXPECT_FALSE(doc.contains("id") && doc["id"] == 2) << "a cancelled request gets no response: " << line;
  }
}

TEST_F(McpProtocol, SigtermStopsTheStdioServerWhileACallWaits) {
  auto peer = stdio();
  initialize(*peer, "2025-11-25");
  peer->request(2, "tools/call", {{"name", "ask"}, {"arguments", {{"domain", "slow"}, {"task", "think"}, {"deadline", "5m"}}}});
  peer->request(3, "ping");
  ASSERT_TRUE(peer->response(3));
  peer->signal(SIGTERM);
  EXPECT_EQ(peer->wait_exit(60s), std::optional<int>(0)) << peer->log();
}

// The HTTP transport, spoken by hand.
class McpHttp : public McpProtocol {
 protected:
  void start(std::vector<std::string> extra) {
    dir_ = make_temp_dir("rt-mcp-http");
    std::vector<std::string> argv{roundtable_binary(), "mcp", "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ChildProcess>(argv, env(), dir_ / "mcp.log");
    server_->start();
    std::regex url(R"(http://127\.0\.0\.1:(\d+)/mcp)");
    std::smatch match;
    ASSERT_TRUE(eventually([&] {
      std::string out = server_->output();
      if (!std::regex_search(out, match, url)) return false;
      port_ = std::stoi(match.str(1));
      return true;
    })) << server_->output();
  }
  void TearDown() override {
    if (server_) server_->stop();
    std::filesystem::remove_all(dir_);
  }
  httplib::Result post(const json& body, httplib::Headers headers) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    headers.emplace("Accept", "application/json, text/event-stream");
    return client.Post("/mcp", headers, body.dump(), "application/json");
  }
  static json init_body() {
    return {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
            {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}, {"clientInfo", {{"name", "raw"}, {"version", "1"}}}}}};
  }
  static json list_body() { return {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}; }

  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
};

TEST_F(McpHttp, SessionsTokenOriginHostAndCaps) {
  start({"--token", "tok-123", "--max-sessions", "2"});
  const httplib::Headers auth{{"Authorization", "Bearer tok-123"}};
  auto no_token = post(init_body(), {});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  EXPECT_EQ(no_token->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(post(init_body(), {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(post(init_body(), {{"Authorization", "Bearer tok-123"}, {"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(post(init_body(), {{"Authorization", "Bearer tok-123"}, {"Host", "rebound.example:80"}})->status, 403);

  auto first = post(init_body(), {{"Authorization", "Bearer tok-123"}, {"Origin", "http://localhost:6274"}});
  ASSERT_EQ(first->status, 200) << first->body;
  std::string session = first->get_header_value("Mcp-Session-Id");
  EXPECT_FALSE(session.empty());
  EXPECT_EQ(json::parse(first->body)["result"]["protocolVersion"], "2025-06-18");
  EXPECT_NE(first->get_header_value("Content-Type").find("application/json"), std::string::npos);

  EXPECT_EQ(post(list_body(), auth)->status, 400) << "no Mcp-Session-Id";
  EXPECT_EQ(post(list_body(), {{"Authorization", "Bearer tok-123"}, {"Mcp-Session-Id", "no-such-session"}})->status, 404);
  httplib::Headers in_session{{"Authorization", "Bearer tok-123"}, {"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-06-18"}};
  auto tools = post(list_body(), in_session);
  ASSERT_EQ(tools->status, 200);
  EXPECT_EQ(json::parse(tools->body)["result"]["tools"].size(), 3u);
  EXPECT_EQ(post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, in_session)->status, 202);
  EXPECT_EQ(post(list_body(), {{"Authorization", "Bearer tok-123"}, {"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "1999-01-01"}})->status, 400);
  EXPECT_EQ(post(json::array({list_body()}), in_session)->status, 400) << "no batches";
  auto unknown = post({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "sampling/createMessage"}}, in_session);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], -32601);

  httplib::Client client("127.0.0.1", port_);
  auto get = client.Get("/mcp", in_session);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  auto huge = post({{"jsonrpc", "2.0"}, {"id", 6}, {"method", "ping"}, {"params", {{"pad", std::string(2 * 1024 * 1024, 'x')}}}}, in_session);
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);

  auto second = post(init_body(), auth);
  ASSERT_EQ(second->status, 200);
  EXPECT_NE(second->get_header_value("Mcp-Session-Id"), session);
  EXPECT_EQ(post(init_body(), auth)->status, 503) << "--max-sessions 2";

  auto ended = client.Delete("/mcp", in_session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 204);
  EXPECT_EQ(post(list_body(), in_session)->status, 404) << "an ended session is gone";
  EXPECT_EQ(client.Delete("/mcp", in_session)->status, 404);
  EXPECT_EQ(post(init_body(), auth)->status, 200) << "the ended session's place is free again";

  server_->signal(SIGTERM);
  EXPECT_EQ(server_->wait(20s), std::optional<int>(0)) << server_->output();
}

TEST_F(McpHttp, ACallRunsWhilePingsAreAnsweredAndDeletingTheSessionCancelsIt) {
  start({});
  auto init = post(init_body(), {});
  ASSERT_EQ(init->status, 200);
  httplib::Headers in_session{{"Mcp-Session-Id", init->get_header_value("Mcp-Session-Id")}};
  std::optional<int> call_status;
  std::string call_body;
  std::thread slow([&] {
    auto res = post({{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"},
                     {"params", {{"name", "ask"}, {"arguments", {{"domain", "slow-http"}, {"task", "think"}, {"deadline", "5m"}}}}}},
                    in_session);
    if (res) call_status = res->status, call_body = res->body;
  });
  // The call is registered in its session before it publishes its task.
  ASSERT_TRUE(eventually([&] {
    auto count = bus_->js().count_messages(contract::kTasksStream, "fleet-a.tasks.slow-http.>");
    return count && *count >= 1;
  }));
  auto pong = post({{"jsonrpc", "2.0"}, {"id", 10}, {"method", "ping"}}, in_session);
  EXPECT_EQ(pong->status, 200);
  httplib::Client client("127.0.0.1", port_);
  auto ended = client.Delete("/mcp", in_session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->status, 204);
  slow.join();
  ASSERT_TRUE(call_status.has_value());
  EXPECT_EQ(*call_status, 200);
  auto doc = json::parse(call_body, nullptr, false);
  EXPECT_TRUE(doc["result"]["isError"].get<bool>()) << call_body;
  EXPECT_EQ(doc["result"]["structuredContent"]["status"], "cancelled") << call_body;
}

TEST_F(McpProtocol, ANonLoopbackListenerNeedsAToken) {
  auto result = roundtable(*nats_, {"mcp", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("bearer token"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace rt::testing
