// nats-bridge against hostile input from outside: a task nested 200,000 deep, gateway answers of
// the wrong shape or without end, a wrong Redis password, credentials in NATS_URL.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <thread>

#include "fixtures/bridge_test.hpp"
#include "fixtures/sanitizers.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

// Peak resident memory of a process in KiB (VmHWM), 0 when unreadable.
size_t peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

std::string task_envelope(const std::string& id, const std::string& params_json) {
  json head = {{"id", id}, {"version", "1.0"}, {"type", "task.request"}, {"from", "tim"},
               {"timestamp", format_rfc3339(std::chrono::system_clock::now())}, {"ttl", 600}};
  std::string bytes = head.dump();
  bytes.pop_back();
  return bytes + R"(,"payload":{"task":"security.briefing","params":)" + params_json + "}}";
}

std::string case_of(const GatewayCall& call) {
  if (!call.json.is_object()) return "";
  if (call.json.contains("payload")) return call.json["payload"]["params"].value("case", "");
  // openai mode: the params are rendered into the user message's text.
  std::string text = call.json["messages"][0].value("content", "");
  auto at = text.find(R"("case":")");
  if (at == std::string::npos) return "";
  at += 8;
  return text.substr(at, text.find('"', at) - at);
}

class BridgeHostileInput : public BridgeTest {};

TEST_F(BridgeHostileInput, TaskNestedTwoHundredThousandDeepIsRejectedAndTheBridgeLives) {
  auto& bridge = start_bridge();
  const std::string id = make_uuid_v4();
  const std::string bytes = task_envelope(id, R"({"x":)" + std::string(200000, '[') + std::string(200000, ']') + "}");
  ASSERT_LT(bytes.size(), contract::kMaxTaskBytes);
  bus_->publish_raw("fleet-a.tasks.security.briefing", bytes, id);

  auto failed = bus_->wait_result(id);
  ASSERT_TRUE(failed) << "no task.failed for the deep task (did the bridge crash?)";
  EXPECT_EQ((*failed)["type"], "task.failed");
  EXPECT_EQ((*failed)["payload"]["error"], "invalid_params");
  EXPECT_NE((*failed)["payload"].value("message", "").find("nested"), std::string::npos) << failed->dump();
  ASSERT_TRUE(bus_->events().wait_until([&](auto&) {
    for (const auto& e : bus_->events().of_type("task.rejected"))
      if (e["payload"].value("raw", "") == base64_encode(bytes)) return true;
    return false;
  })) << "no task.rejected carrying the raw bytes";

  auto next = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(next.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result");
  EXPECT_TRUE(bridge.process().running());
  EXPECT_EQ(gateway_->call_count(), 1u) << "the deep task never reaches the gateway";
  EXPECT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 0 && state->pending == 0 && state->redelivered == 0;
  })) << "the deep task is terminated, never redelivered";
}

struct HostileAnswer {
  std::string name;
  GatewayReply reply;
  std::string expect;  // "completed" or an error code
};

void expect_each_answer_handled(FakeGateway& gateway, Bus& bus, BridgeProcess& bridge, const std::vector<HostileAnswer>& answers,
                                const GatewayReply& fine) {
  std::map<std::string, GatewayReply> by_case;
  for (const auto& answer : answers) by_case[answer.name] = answer.reply;
  gateway.set_handler([by_case, fine](const GatewayCall& call) {
    auto it = by_case.find(case_of(call));
    return it == by_case.end() ? fine : it->second;
  });
  for (const auto& answer : answers) {
    auto task = bus.publish_task("security.briefing", {{"case", answer.name}});
    auto result = bus.wait_result(task.id);
    ASSERT_TRUE(result) << answer.name << ": no result (did the bridge crash?)";
    if (answer.expect == "completed") {
      EXPECT_EQ((*result)["type"], "task.result") << answer.name << ": " << result->dump();
    } else {
      EXPECT_EQ((*result)["type"], "task.failed") << answer.name << ": " << result->dump();
      EXPECT_EQ((*result)["payload"]["error"], answer.expect) << answer.name << ": " << result->dump();
      EXPECT_EQ((*result)["payload"]["retryable"], false) << answer.name << ": a malformed answer is not retried";
    }
    EXPECT_TRUE(bridge.process().running()) << answer.name;
  }
  EXPECT_EQ(gateway.call_count(), answers.size()) << "each hostile answer was asked for exactly once";
  gateway.set_handler([fine](const GatewayCall&) { return fine; });
  auto next = bus.publish_task("security.briefing");
  auto result = bus.wait_result(next.id);
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["type"], "task.result") << result->dump();
}

GatewayReply json_reply(const json& body) {
  GatewayReply reply;
  reply.body = body.dump();
  return reply;
}

GatewayReply ndjson_reply(std::vector<std::string> lines) {
  GatewayReply reply;
  reply.content_type = "application/x-ndjson";
  reply.ndjson_lines = std::move(lines);
  return reply;
}

TEST_F(BridgeHostileInput, MalformedWebhookAnswersFailTheTaskOnceAndTheBridgeLives) {
  auto& bridge = start_bridge();
  const json completed = {{"content", "ok"}, {"format", "markdown"}};
  std::vector<HostileAnswer> answers{
      {"status-number", json_reply({{"status", 5}}), "internal_error"},
      {"status-array", json_reply({{"status", {"completed"}}, {"result", completed}}), "internal_error"},
      {"result-not-object", json_reply({{"status", "completed"}, {"result", "flat text"}}), "internal_error"},
      {"failed-error-number", json_reply({{"status", "failed"}, {"error", 42}}), "internal_error"},
      {"answer-not-json", GatewayReply{200, "application/json", "{\"status\": \"compl", {}, {}}, "internal_error"},
      {"answer-deep", GatewayReply{200, "application/json", "{\"status\":\"completed\",\"result\":" + std::string(100000, '[') +
                                                               std::string(100000, ']') + "}", {}, {}}, "internal_error"},
      {"ndjson-type-number", ndjson_reply({R"({"type":7,"percent":50})", R"({"type":"result","status":"completed","result":{"content":"ok"}})"}),
       "completed"},
      {"ndjson-result-status-object", ndjson_reply({R"({"type":"result","status":{"is":"completed"}})"}), "internal_error"},
      {"ndjson-result-not-object", ndjson_reply({R"({"type":"result","status":"completed","result":[1,2]})"}), "internal_error"},
      {"ndjson-progress-huge-percent", ndjson_reply({R"({"type":"progress","percent":1e300})", R"({"type":"progress","percent":-1e300})",
                                                     R"({"type":"result","status":"completed","result":{"content":"ok"}})"}), "completed"},
      {"metadata-huge-numbers", json_reply({{"status", "completed"}, {"result", {{"content", "ok"}, {"metadata", {{"inputTokens", 1e300},
                                 {"durationMs", -1e300}, {"attempt", 1e300}, {"outputTokens", std::numeric_limits<uint64_t>::max()}}}}}}),
       "completed"},
  };
  expect_each_answer_handled(*gateway_, *bus_, bridge, answers, completed_reply("fine"));
}

TEST_F(BridgeHostileInput, MalformedChatCompletionsFailTheTaskOnceAndTheBridgeLives) {
  auto& bridge = start_bridge({{"GATEWAY_MODE", "openai"}});
  std::vector<HostileAnswer> answers{
      {"model-number", json_reply({{"model", 5}, {"choices", {{{"message", {{"content", "hi"}}}}}}}), "completed"},
      {"choice-number", json_reply({{"choices", {5}}}), "internal_error"},
      {"message-string", json_reply({{"choices", {{{"message", "text"}}}}}), "internal_error"},
      {"content-number", json_reply({{"choices", {{{"message", {{"content", 7}}}}}}}), "internal_error"},
      {"choices-object", json_reply({{"choices", {{"message", "x"}}}}), "internal_error"},
      {"usage-huge", json_reply({{"choices", {{{"message", {{"content", "hi"}}}}}},
                                 {"usage", {{"prompt_tokens", std::numeric_limits<uint64_t>::max()}, {"completion_tokens", 1e300}}}}),
       "completed"},
      {"body-deep", GatewayReply{200, "application/json", "{\"choices\":" + std::string(100000, '[') + std::string(100000, ']') + "}", {}, {}},
       "internal_error"},
  };
  expect_each_answer_handled(*gateway_, *bus_, bridge, answers, json_reply({{"choices", {{{"message", {{"content", "fine"}}}}}}}));
}

// A gateway that answers with one line that never ends (or a body that never ends).
class EndlessGateway {
 public:
  explicit EndlessGateway(size_t limit_bytes) : port_(free_port()) {
    auto endless = [limit_bytes](const char* content_type) {
      return [limit_bytes, content_type](const httplib::Request&, httplib::Response& res) {
        auto sent = std::make_shared<size_t>(0);
        res.set_chunked_content_provider(content_type, [limit_bytes, sent](size_t, httplib::DataSink& sink) {
          static const std::string chunk(64 * 1024, 'x');
          if (*sent >= limit_bytes) {
            sink.done();
            return true;
          }
          *sent += chunk.size();
          return sink.write(chunk.data(), chunk.size());
        });
      };
    };
    server_.Post("/webhook", endless("application/x-ndjson"));
    server_.Post("/v1/chat/completions", endless("application/json"));
    server_.Get("/health", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    if (!server_.bind_to_port("127.0.0.1", port_)) throw std::runtime_error("cannot bind the endless gateway");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~EndlessGateway() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_;
  std::thread thread_;
};

void expect_endless_answer_cut_off(BridgeTest& test, Bus& bus, const std::map<std::string, std::string>& mode,
                                   std::vector<std::unique_ptr<BridgeProcess>>& bridges, const std::string& nats_url) {
  constexpr size_t kSentBytes = size_t{256} << 20;
  EndlessGateway endless(kSentBytes);
  bridges.push_back(std::make_unique<BridgeProcess>(nats_url, endless.url(), mode));
  auto& bridge = *bridges.back();
  bridge.start();
  ASSERT_TRUE(bridge.wait_ready()) << bridge.output();
  auto task = bus.publish_task("security.briefing");
  auto result = bus.wait_result(task.id, std::chrono::seconds(120));
  ASSERT_TRUE(result) << "no result for the endless answer";
  EXPECT_EQ((*result)["type"], "task.failed") << result->dump();
  EXPECT_EQ((*result)["payload"]["error"], "internal_error") << result->dump();
  const std::string message = (*result)["payload"].value("message", "");
  EXPECT_TRUE(message.find("larger than") != std::string::npos || message.find("longer than") != std::string::npos) << message;
  ASSERT_TRUE(bridge.process().running());
  const size_t peak_kib = peak_rss_kib(bridge.process().pid());
  ASSERT_GT(peak_kib, 0u);
  EXPECT_LT(peak_kib, 96u * 1024 * kSanitizerMemoryFactor) << "the bridge buffered the endless answer (peak RSS " << peak_kib / 1024 << " MiB)";
  (void)test;
}

TEST_F(BridgeHostileInput, EndlessNdjsonLineIsCutOffWithBoundedMemory) {
  expect_endless_answer_cut_off(*this, *bus_, {}, bridges_, nats_->url());
}

TEST_F(BridgeHostileInput, EndlessChatCompletionIsCutOffWithBoundedMemory) {
  expect_endless_answer_cut_off(*this, *bus_, {{"GATEWAY_MODE", "openai"}}, bridges_, nats_->url());
}

// redis-server with a password, for the wrong-password test.
class PasswordRedis {
 public:
  explicit PasswordRedis(const std::string& password) : dir_(make_temp_dir("rt-redis-auth")), port_(free_port()) {
    process_ = ChildProcess({find_executable("redis-server"), "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", dir_.string(), "--requirepass", password},
                            {}, dir_ / "redis.log");
    process_.start();
    if (!wait_for_port(port_, std::chrono::seconds(20))) throw std::runtime_error("redis-server did not start");
  }
  ~PasswordRedis() {
    process_.stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  int port() const { return port_; }

 private:
  std::filesystem::path dir_;
  int port_;
  ChildProcess process_;
};

TEST_F(BridgeHostileInput, WrongRedisPasswordIsReportedAsRedisDown) {
  PasswordRedis redis("the-right-one");
  const std::string wrong = "notthepassword123";
  auto& bridge = start_bridge({{"REDIS_URL", "redis://:" + wrong + "@127.0.0.1:" + std::to_string(redis.port())}});
  auto task = bus_->publish_task("security.briefing");
  ASSERT_TRUE(bus_->wait_result(task.id)) << "without Redis the bridge still works";
  // Heartbeats after the task: each one has tried Redis (ping) by then, and must say degraded.
  const size_t seen = bus_->heartbeats().messages().size();
  ASSERT_TRUE(bus_->heartbeats().wait_for_count(seen + 3));
  auto beats = bus_->heartbeats().messages();
  for (size_t i = seen; i < beats.size(); ++i)
    EXPECT_EQ(beats[i].json()["payload"]["status"], "degraded") << beats[i].data;
  auto [status, body] = bridge.get("/readyz");
  EXPECT_EQ(json::parse(body, nullptr, false).value("redis", ""), "down") << body;
  EXPECT_EQ(bridge.get("/metrics").second.find(wrong), std::string::npos);
  EXPECT_EQ(bridge.output().find(wrong), std::string::npos) << "the password reached the log";
  EXPECT_NE(bridge.output().find("WRONGPASS"), std::string::npos) << "the reason is logged: " << bridge.output().substr(0, 4000);
}

TEST(BridgeSecrets, NatsUrlCredentialsNeverReachTheLog) {
  NatsServer nats(R"(authorization { user: "knight", password: "secretpw" })");
  FakeGateway gateway;
  nats::NatsSettings settings;
  settings.servers = {nats.url()};
  settings.user = "knight";
  settings.password = "secretpw";
  Bus bus(settings);
  BridgeProcess bridge("nats://knight:secretpw@127.0.0.1:" + std::to_string(nats.port()), gateway.url());
  bridge.start();
  ASSERT_TRUE(bridge.wait_ready()) << bridge.output();
  auto task = bus.publish_task("security.briefing");
  ASSERT_TRUE(bus.wait_result(task.id));
  auto [status, ready] = bridge.get("/readyz");
  auto metrics = bridge.get("/metrics").second;
  bridge.process().stop(std::chrono::seconds(15));
  const std::string output = bridge.output();
  EXPECT_NE(output.find("nats.connected"), std::string::npos) << output.substr(0, 4000);
  EXPECT_EQ(output.find("secretpw"), std::string::npos) << output.substr(0, 4000);
  EXPECT_EQ(ready.find("secretpw"), std::string::npos);
  EXPECT_EQ(metrics.find("secretpw"), std::string::npos);
  for (const auto& m : bus.events().messages()) EXPECT_EQ(m.data.find("secretpw"), std::string::npos) << m.data;
  for (const auto& m : bus.heartbeats().messages()) EXPECT_EQ(m.data.find("secretpw"), std::string::npos) << m.data;
}

}  // namespace
}  // namespace rt::testing
