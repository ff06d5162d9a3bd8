// A2A pieces without the network: the task store's states, events and bounds, the reading of
// SendMessage params, and the agent card.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "roundtable/gateway/a2a/agent_card.hpp"
#include "roundtable/gateway/a2a/requests.hpp"
#include "roundtable/gateway/a2a/task_store.hpp"
#include "fixtures/process.hpp"
#include "roundtable/config/settings.hpp"

namespace rt::gateway::a2a {
namespace {

using nlohmann::json;

json user(const std::string& text) { return text_message("ROLE_USER", text, "", ""); }

TEST(A2aTaskStore, ATaskGoesFromSubmittedToCompletedWithItsAnswerAndEvents) {
  TaskStore store;
  auto id = store.create("ctx", user("hello"));
  EXPECT_EQ((*store.get(id))["status"]["state"], "TASK_STATE_SUBMITTED");
  EXPECT_EQ((*store.get(id))["history"][0]["taskId"], id);
  EXPECT_TRUE(store.working(id));
  EXPECT_TRUE(store.working(id, "ran echo"));
  EXPECT_TRUE(store.complete(id, "the answer", "text/markdown", {{"inputTokens", 3}}));
  json task = *store.get(id);
  EXPECT_EQ(task["status"]["state"], "TASK_STATE_COMPLETED");
  EXPECT_EQ(task["artifacts"][0]["parts"][0], json({{"text", "the answer"}, {"mediaType", "text/markdown"}}));
  EXPECT_EQ(task["history"].size(), 2u);
  EXPECT_EQ((*store.get(id, 1))["history"][0]["role"], "ROLE_AGENT");
  EXPECT_FALSE(store.get(id, 0)->contains("history"));
  EXPECT_EQ(task["metadata"]["inputTokens"], 3);
  auto events = store.wait_events(id, 0, std::chrono::milliseconds(0));
  ASSERT_EQ(events.events.size(), 4u);
  EXPECT_EQ(events.events[1]["statusUpdate"]["status"]["message"]["parts"][0]["text"], "ran echo");
  EXPECT_TRUE(events.events[2].contains("artifactUpdate"));
  EXPECT_EQ(events.events[3]["statusUpdate"]["status"]["state"], "TASK_STATE_COMPLETED");
  EXPECT_TRUE(events.terminal);
  EXPECT_EQ(store.wait_events(id, events.next, std::chrono::milliseconds(0)).events.size(), 0u);
}

TEST(A2aTaskStore, ACanceledTaskKeepsNoAnswerAndAFinishedOneCannotBeCanceled) {
  TaskStore store;
  auto id = store.create("ctx", user("hello"));
  store.working(id);
  EXPECT_EQ(store.cancel(id), TaskStore::CancelOutcome::canceled);
  EXPECT_TRUE(store.canceled(id));
  EXPECT_FALSE(store.complete(id, "late answer", "text/markdown", json::object()));
  EXPECT_FALSE(store.working(id));
  EXPECT_EQ((*store.get(id))["status"]["state"], "TASK_STATE_CANCELED");
  EXPECT_FALSE(store.get(id)->contains("artifacts"));
  EXPECT_EQ(store.cancel(id), TaskStore::CancelOutcome::not_cancelable);
  EXPECT_EQ(store.cancel("nope"), TaskStore::CancelOutcome::not_found);
}

TEST(A2aTaskStore, OverTheCapTheLeastRecentlyUsedFinishedTaskGoesFirst) {
  TaskStore store(StoreLimits{.max_tasks = 3});
  auto running = store.create("a", user("1"));
  store.working(running);
  auto done_old = store.create("b", user("2"));
  store.fail(done_old, "no", json::object());
  auto done_new = store.create("c", user("3"));
  store.complete(done_new, "yes", "text/markdown", json::object());
  auto newest = store.create("d", user("4"));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_TRUE(store.contains(running)) << "a running task outlives finished ones";
  EXPECT_FALSE(store.contains(done_old));
  EXPECT_TRUE(store.contains(done_new));
  EXPECT_TRUE(store.contains(newest));
  for (int i = 0; i < 50; ++i) store.create("e", user("x"));
  EXPECT_EQ(store.size(), 3u);
}

TEST(A2aTaskStore, BigAnswersAreBoundedInBytesNotOnlyInNumber) {
  TaskStore store(StoreLimits{.max_tasks = 1000, .max_bytes = 64 * 1024});
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(store.create("ctx", user(std::string(4096, 'q'))));
    store.working(ids.back());
    store.complete(ids.back(), std::string(8192, 'a'), "text/markdown", json::object());
  }
  EXPECT_LT(store.size(), 5u) << "20 tasks of about 30 KiB each do not fit in 64 KiB";
  EXPECT_TRUE(store.contains(ids.back())) << "the newest stays";
  EXPECT_FALSE(store.contains(ids.front()));
}

TEST(A2aTaskStore, AContextGivesItsEarlierCompletedTurnsOldestFirst) {
  TaskStore store;
  auto first = store.create("ctx", user("one"));
  store.complete(first, "answer one", "text/markdown", json::object());
  auto failed = store.create("ctx", user("lost"));
  store.fail(failed, "no", json::object());
  auto other = store.create("elsewhere", user("other"));
  store.complete(other, "other answer", "text/markdown", json::object());
  auto now = store.create("ctx", user("two"));
  auto turns = store.context_history("ctx", now);
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0]["parts"][0]["text"], "one");
  EXPECT_EQ(turns[1]["parts"][0]["text"], "answer one");
}

jsonrpc::RpcError error_of(const json& params) {
  auto read = read_send_request(params);
  return std::holds_alternative<jsonrpc::RpcError>(read) ? std::get<jsonrpc::RpcError>(read) : jsonrpc::RpcError{0, "ok", {}};
}

json message_with(json parts) { return {{"message", {{"messageId", "m"}, {"role", "ROLE_USER"}, {"parts", std::move(parts)}}}}; }

TEST(A2aRequests, SendMessageParamsAreReadOrRefusedByName) {
  auto read = read_send_request(message_with({{{"text", "hi"}}, {{"data", {{"k", 1}}}}}));
  ASSERT_TRUE(std::holds_alternative<SendRequest>(read));
  const auto& send = std::get<SendRequest>(read);
  EXPECT_EQ(send.text, "hi\n\n{\"k\":1}");
  EXPECT_FALSE(send.context_id.empty()) << "a new context when the client gave none";
  EXPECT_FALSE(send.return_immediately);

  EXPECT_EQ(error_of(json::array()).message, "params must be an object");
  EXPECT_EQ(error_of({{"message", "hi"}}).message, "params.message must be an object");
  EXPECT_EQ(error_of(message_with(json::array())).message, "message.parts must be a non-empty array");
  EXPECT_EQ(error_of(message_with({{{"text", 1}}})).message, "message.parts[0].text must be a string");
  EXPECT_EQ(error_of(message_with({{{"nothing", 1}}})).code, jsonrpc::kInvalidParams);
  EXPECT_EQ(error_of(message_with({{{"raw", "AAAA"}}})).code, kContentTypeNotSupported);
  json agent_role = message_with({{{"text", "hi"}}});
  agent_role["message"]["role"] = "ROLE_AGENT";
  EXPECT_EQ(error_of(agent_role).message, "message.role must be ROLE_USER");
  json no_id = message_with({{{"text", "hi"}}});
  no_id["message"].erase("messageId");
  EXPECT_EQ(error_of(no_id).code, jsonrpc::kInvalidParams);
  json config = message_with({{{"text", "hi"}}});
  config["configuration"] = {{"historyLength", 1.5}};
  EXPECT_EQ(error_of(config).message, "configuration.historyLength must be an integer");
  config["configuration"] = {{"historyLength", 2}, {"returnImmediately", true}, {"acceptedOutputModes", {"text/plain"}}};
  auto ok = read_send_request(config);
  ASSERT_TRUE(std::holds_alternative<SendRequest>(ok));
  EXPECT_EQ(std::get<SendRequest>(ok).history_length, 2u);
  EXPECT_TRUE(std::get<SendRequest>(ok).return_immediately);
}

TEST(A2aAgentCard, DescriptionSkillsAndSecurityComeFromTheWorkspaceAndSettings) {
  Workspace ws;
  ws.knight.name = "galahad";
  ws.knight.fleet = "fleet-a";
  ws.knight.domains = {"security", "home"};
  ws.knight.capabilities = {"security.briefing", "security.cve-lookup"};
  ws.soul = "intro\n# Galahad — security knight\n";
  Skill skill;
  skill.name = "cve-lookup";
  skill.description = "Search the feed";
  ws.skills.push_back(skill);
  json card = agent_card(ws, {"http://k:1", false, "0.1.0"});
  EXPECT_EQ(card["description"], "Galahad — security knight") << "SOUL.md heading without a description";
  EXPECT_EQ(card["supportedInterfaces"][0]["url"], "http://k:1/a2a");
  EXPECT_FALSE(card.contains("securitySchemes"));
  ASSERT_EQ(card["skills"].size(), 3u);
  EXPECT_EQ(card["skills"][1]["description"], "Search the feed");
  EXPECT_EQ(card["skills"][2]["id"], "home") << "a domain without capabilities";
  ws.knight.description = "Watches the estate";
  card = agent_card(ws, {"http://k:1", true, "0.1.0"});
  EXPECT_EQ(card["description"], "Watches the estate");
  EXPECT_EQ(card["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"], "Bearer");
  EXPECT_EQ(base_url_from_host("knight.example:8080"), "http://knight.example:8080");
  EXPECT_EQ(base_url_from_host("evil.example/path?x"), "");
  EXPECT_EQ(base_url_from_host(""), "");
}

TEST(A2aAgentCard, SoulFrontMatterGivesTheDescriptionAndStaysOutOfTheSoul) {
  namespace fs = std::filesystem;
  auto dir = rt::testing::make_temp_dir("rt-a2a-soul");
  fs::copy(fs::path(RT_SOURCE_DIR) / "tests/fixtures/workspaces/basic", dir, fs::copy_options::recursive);
  std::ofstream(dir / "SOUL.md", std::ios::trunc) << "---\ndescription: Keeper of the bench\n---\n# Sir Testalot\n";
  auto ws = load_workspace(dir);
  EXPECT_EQ(ws.knight.description, "Keeper of the bench");
  EXPECT_EQ(ws.soul, "# Sir Testalot\n");
  std::ofstream(dir / "SOUL.md", std::ios::trunc) << "---\ndescription: [unclosed\n---\n# Sir Testalot\n";
  try {
    load_workspace(dir);
    ADD_FAILURE() << "broken front matter was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("SOUL.md"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rt::gateway::a2a
