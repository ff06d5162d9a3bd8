// One trace end to end: `roundtable fanout` -> the lead's bridge and gateway -> delegate -> two
// knights' bridges and gateways (scripted LLM), every process exporting OTLP/HTTP JSON to a real
// receiver (the OpenTelemetry JS SDK's encoders check each request). Then `roundtable trace`
// draws the same tree from the bus alone; and a collector that is down costs spans, not tasks.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "fixtures/await.hpp"
#include "fixtures/bridge_harness.hpp"
#include "fixtures/fake_gateway.hpp"
#include "fixtures/gateway_harness.hpp"
#include "fixtures/otlp_receiver.hpp"
#include "fixtures/servers.hpp"
#include "integration/cli_support.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecretWords = "moonlit-drawbridge-password";  // in the task: must be in no span

class TraceFanout : public ::testing::Test {
 protected:
  std::map<std::string, std::string> otel(const std::string& service, const std::string& endpoint) {
    return {{"OTEL_EXPORTER_OTLP_ENDPOINT", endpoint}, {"OTEL_SERVICE_NAME", service}};
  }
  void start_knight(const std::string& agent, const std::string& domain, const std::string& endpoint) {
    auto env = otel(agent + "-gateway", endpoint);
    env.insert({{"LLM_PROVIDER", "anthropic"}, {"LLM_BASE_URL", llm_.url()}, {"ANTHROPIC_API_KEY", "sk-ant-test"},
                {"AGENT_ID", agent}, {"LOG_LEVEL", "warn"}});
    gateways_.push_back(std::make_unique<GatewayProcess>(knight_ws_.dir(), env));
    gateways_.back()->start();
    ASSERT_TRUE(gateways_.back()->wait_ready()) << gateways_.back()->output();
    start_bridge(agent, domain, gateways_.back()->url(), endpoint);
  }
  void start_bridge(const std::string& agent, const std::string& domain, const std::string& gateway_url, const std::string& endpoint) {
    auto env = otel(agent + "-bridge", endpoint);
    env.insert({{"AGENT_ID", agent}, {"TASK_DOMAINS", domain}, {"LOG_LEVEL", "warn"}});
    bridges_.push_back(std::make_unique<BridgeProcess>(nats_.url(), gateway_url, env));
    bridges_.back()->start();
    ASSERT_TRUE(bridges_.back()->wait_ready()) << bridges_.back()->output();
  }
  void start_lead(const std::string& endpoint) {
    lead_ws_.write("knight.yaml", R"(name: tim
fleet: fleet-a
role: lead
domains: [lead]
model: {provider: offline, name: offline, max_tokens: 2000}
limits: {max_tool_iterations: 3}
skills: []
delegates:
  - {agent: galahad, task: security.briefing}
  - {agent: percival, task: comms.briefing}
delegate_deadline: 20s
)");
    auto env = otel("tim-gateway", endpoint);
    env.insert({{"LLM_PROVIDER", "offline"}, {"NATS_URL", nats_.url()}, {"LOG_LEVEL", "warn"}});
    gateways_.push_back(std::make_unique<GatewayProcess>(lead_ws_.dir(), env));
    gateways_.back()->start();
    ASSERT_TRUE(gateways_.back()->wait_ready()) << gateways_.back()->output();
    start_bridge("tim", "lead", gateways_.back()->url(), endpoint);
  }
  std::string tasks_file() {
    auto path = dir_ / "tasks.yaml";
    std::ofstream(path) << "- {task: lead.briefing, params: {topic: " << kSecretWords << "}}\n";
    return path.string();
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (auto& g : gateways_) std::cerr << "---- gateway ----\n" << g->output().substr(0, 4000) << "\n";
    for (auto& b : bridges_) std::cerr << "---- bridge ----\n" << b->output().substr(0, 4000) << "\n";
  }

  NatsServer nats_;
  FakeGateway llm_;
  ScriptedLlm script_{llm_};
  TempWorkspace knight_ws_{"basic"};
  TempWorkspace lead_ws_{"lead"};
  std::filesystem::path dir_ = make_temp_dir("rt-trace");
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
  std::vector<std::unique_ptr<BridgeProcess>> bridges_;
};

const json* find_span(const std::vector<json>& spans, const std::string& service, const std::string& name) {
  for (const auto& s : spans)
    if (s["service"] == service && s["name"] == name) return &s;
  return nullptr;
}

std::map<std::string, json> attributes(const json& span) {
  std::map<std::string, json> out;
  for (const auto& kv : span["attributes"]) out[kv["key"]] = kv["value"];
  return out;
}

TEST_F(TraceFanout, FanOutThroughLeadAndKnightsIsOneTraceWithParentChildLinksAndTheSameTreeFromTheBus) {
  script_.otherwise([](const GatewayCall&) { return anthropic_text("all quiet"); });
  OtlpReceiver receiver;
  start_knight("galahad", "security", receiver.endpoint());
  start_knight("percival", "comms", receiver.endpoint());
  start_lead(receiver.endpoint());

  auto run = roundtable(nats_, {"fanout", tasks_file(), "--wait", "60s", "--json"},
                        {{"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()}, {"OTEL_SERVICE_NAME", "roundtable-cli"}}, std::chrono::seconds(90));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  json out = json::parse(run.output.substr(run.output.find('{')));
  std::string trace_id = out["traceId"], lead_task = out["tasks"][0]["taskId"];
  ASSERT_EQ(trace_id.size(), 32u);

  // fanout, publish; the lead: process, POST, POST /webhook, chat x2, execute_tool; 2 knights x (process, POST, POST /webhook, chat)
  std::vector<json> spans;
  ASSERT_TRUE(eventually([&] {
    spans = receiver.spans();
    return spans.size() >= 16;
  }, std::chrono::seconds(30))) << spans.size() << " spans\n" << receiver.output();
  EXPECT_TRUE(receiver.rejections().empty()) << receiver.rejections().front();
  for (const auto& s : spans) {
    EXPECT_EQ(s["traceId"], trace_id) << s.dump();
    EXPECT_EQ(s.dump().find(kSecretWords), std::string::npos) << "task text in a span: " << s.dump();
    EXPECT_EQ(s.dump().find("SOUL"), std::string::npos) << s.dump();
  }

  auto parent_of = [&](const json* child, const json* parent) {
    ASSERT_NE(child, nullptr);
    ASSERT_NE(parent, nullptr);
    EXPECT_EQ(child->value("parentSpanId", ""), (*parent)["spanId"]) << child->dump() << "\nshould be a child of\n" << parent->dump();
  };
  const json* root = find_span(spans, "roundtable-cli", "fanout");
  ASSERT_NE(root, nullptr);
  EXPECT_FALSE(root->contains("parentSpanId"));
  const json* publish = find_span(spans, "roundtable-cli", "publish fleet-a.tasks.lead.briefing");
  parent_of(publish, root);
  EXPECT_EQ((*publish)["kind"], 4);
  const json* lead_process = find_span(spans, "tim-bridge", "process fleet-a.tasks.lead.briefing");
  parent_of(lead_process, publish);
  EXPECT_EQ((*lead_process)["kind"], 5);
  const json* lead_post = find_span(spans, "tim-bridge", "POST");
  parent_of(lead_post, lead_process);
  const json* lead_server = find_span(spans, "tim-gateway", "POST /webhook");
  parent_of(lead_server, lead_post);
  EXPECT_EQ((*lead_server)["kind"], 2);
  const json* delegate = find_span(spans, "tim-gateway", "execute_tool delegate");
  parent_of(delegate, lead_server);

  for (auto [agent, domain] : {std::pair{"galahad", "security"}, std::pair{"percival", "comms"}}) {
    SCOPED_TRACE(agent);
    const json* process = find_span(spans, std::string(agent) + "-bridge", "process fleet-a.tasks." + std::string(domain) + ".briefing");
    parent_of(process, delegate);  // the delegated task is a child of the lead's task
    const json* post = find_span(spans, std::string(agent) + "-bridge", "POST");
    parent_of(post, process);
    const json* server = find_span(spans, std::string(agent) + "-gateway", "POST /webhook");
    parent_of(server, post);
    const json* chat = find_span(spans, std::string(agent) + "-gateway", "chat test-model");
    parent_of(chat, server);
    auto a = attributes(*chat);
    EXPECT_EQ(a["gen_ai.operation.name"]["stringValue"], "chat");
    EXPECT_EQ(a["gen_ai.request.model"]["stringValue"], "test-model");
    EXPECT_EQ(a["gen_ai.response.model"]["stringValue"], "claude-test");
    EXPECT_EQ(a["gen_ai.usage.input_tokens"]["intValue"], "100");
    EXPECT_EQ(a["gen_ai.usage.output_tokens"]["intValue"], "20");
    EXPECT_EQ(a["gen_ai.response.finish_reasons"]["arrayValue"]["values"][0]["stringValue"], "end_turn");
    EXPECT_EQ(a["gen_ai.provider.name"]["stringValue"], "anthropic");
    EXPECT_EQ((*chat)["kind"], 3);
  }

  // The same tree from the bus alone.
  auto tree = roundtable(nats_, {"trace", lead_task, "--width", "140"});
  ASSERT_EQ(tree.exit_code, 0) << tree.output;
  for (const char* line : {"lead.briefing (tim) completed", "security.briefing (galahad) completed", "comms.briefing (percival) completed",
                           "attempt 1 tim completed", "attempt 1 galahad completed", "attempt 1 percival completed",
                           "chat test-model 100/20 tok end_turn", "execute_tool delegate", "gateway claude-test"})
    EXPECT_NE(tree.output.find(line), std::string::npos) << line << "\n" << tree.output;
  EXPECT_NE(tree.output.find("trace " + trace_id + "  3 tasks"), std::string::npos) << tree.output;
  EXPECT_LT(tree.output.find("lead.briefing"), tree.output.find("security.briefing")) << "the lead first, its delegations under it";

  auto as_json = roundtable(nats_, {"trace", lead_task, "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
  json doc = json::parse(as_json.output);
  EXPECT_EQ(doc["traceId"], trace_id);
  ASSERT_EQ(doc["children"].size(), 2u);
  for (const auto& child : doc["children"]) {
    EXPECT_EQ(child["parentTaskId"], lead_task);
    EXPECT_EQ(child["traceId"], trace_id);
    EXPECT_EQ(child["inputTokens"], 100);
    EXPECT_EQ(child["outputTokens"], 20);
    EXPECT_EQ(child["attempts"].size(), 1u);
    ASSERT_EQ(child["gateway"]["steps"].size(), 1u);
    EXPECT_EQ(child["gateway"]["steps"][0]["kind"], "llm");
  }
}

TEST_F(TraceFanout, CollectorDownDropsAndCountsSpansAndTasksAreUnaffected) {
  script_.otherwise([](const GatewayCall&) { return anthropic_text("all quiet"); });
  std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port());
  start_knight("galahad", "security", nowhere);
  auto run = roundtable(nats_, {"ask", "security.briefing", "--wait", "60s", "--json"}, {{"OTEL_EXPORTER_OTLP_ENDPOINT", nowhere}},
                        std::chrono::seconds(90));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(json::parse(run.output.substr(run.output.find('{')))["status"], "completed");
  auto dropped = [](const std::string& metrics, const std::string& name) {
    auto at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + name.size() + 2));
  };
  EXPECT_TRUE(eventually([&] { return dropped(bridges_.back()->get("/metrics").second, "roundtable_bridge_spans_dropped_total") >= 2; },
                         std::chrono::seconds(30)))
      << bridges_.back()->get("/metrics").second;
}

}  // namespace
}  // namespace rt::testing
