// The checkpoint's encoding (gateway/checkpoint.hpp) and SKILL.md's `idempotent:`.
#include "roundtable/gateway/checkpoint.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "roundtable/common/child_process.hpp"
#include "roundtable/config/settings.hpp"
#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Checkpoint sample() {
  Checkpoint c;
  c.fleet = "fleet-a";
  c.agent = "galahad";
  c.task_id = "0193e3b0-0000-7000-8000-000000000001";
  c.messages = {{"user", {llm::Block::make_text("Task: security.briefing\n")}},
                {"assistant", {llm::Block::make_text("let me check"), llm::Block::make_tool_use("toolu_1", "step", {{"n", 1}, {"deep", {{"a", {1, 2}}}}})}},
                {"user", {llm::Block::make_tool_result("toolu_1", "step done", false)}},
                {"assistant", {llm::Block::make_tool_use("toolu_2", "slow", json::object()), llm::Block::make_tool_use("toolu_3", "remember", {{"fact", "x"}})}}};
  c.tool_results = {llm::Block::make_tool_result("toolu_2", "failed: \xff bad byte", true)};
  c.in_flight = InFlightTool{"remember", "toolu_3", "2026-11-29T18:00:00Z"};
  c.usage.input_tokens = 1234;
  c.usage.output_tokens = 56;
  c.usage.cache_read_tokens = 7;
  c.usage.cache_write_tokens = 8;
  c.usage.cost_micro_usd = 910;
  c.usage.cost_known = false;
  c.gathered = "step done";
  c.turns = 2;
  c.corrections = 1;
  return c;
}

TEST(CheckpointEncoding, RoundTripsEveryField) {
  auto decoded = decode_checkpoint(encode_checkpoint(sample()));
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto& c = *decoded;
  EXPECT_EQ(c.fleet, "fleet-a");
  EXPECT_EQ(c.agent, "galahad");
  EXPECT_EQ(c.task_id, sample().task_id);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[1].role, "assistant");
  ASSERT_EQ(c.messages[1].content.size(), 2u);
  EXPECT_EQ(c.messages[1].content[1].kind, llm::Block::Kind::tool_use);
  EXPECT_EQ(c.messages[1].content[1].tool_id, "toolu_1");
  EXPECT_EQ(c.messages[1].content[1].tool_name, "step");
  EXPECT_EQ(c.messages[1].content[1].tool_input["deep"]["a"][1], 2);
  EXPECT_EQ(c.messages[2].content[0].kind, llm::Block::Kind::tool_result);
  EXPECT_EQ(c.messages[2].content[0].text, "step done");
  ASSERT_EQ(c.tool_results.size(), 1u);
  EXPECT_TRUE(c.tool_results[0].is_error);
  EXPECT_NE(c.tool_results[0].text.find("bad byte"), std::string::npos) << "invalid UTF-8 is replaced, not a throw";
  ASSERT_TRUE(c.in_flight);
  EXPECT_EQ(c.in_flight->name, "remember");
  EXPECT_EQ(c.in_flight->call_id, "toolu_3");
  EXPECT_EQ(c.usage.input_tokens, 1234);
  EXPECT_EQ(c.usage.output_tokens, 56);
  EXPECT_EQ(c.usage.cache_read_tokens, 7);
  EXPECT_EQ(c.usage.cache_write_tokens, 8);
  EXPECT_EQ(c.usage.cost_micro_usd, 910);
  EXPECT_FALSE(c.usage.cost_known);
  EXPECT_EQ(c.gathered, "step done");
  EXPECT_EQ(c.turns, 2);
  EXPECT_EQ(c.corrections, 1);
}

TEST(CheckpointEncoding, NoInFlightToolIsNull) {
  auto c = sample();
  c.in_flight.reset();
  auto text = encode_checkpoint(c);
  EXPECT_TRUE(json::parse(text)["inFlight"].is_null());
  auto decoded = decode_checkpoint(text);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->in_flight);
}

TEST(CheckpointEncoding, DamagedInputIsAnErrorNeverAThrow) {
  json good = json::parse(encode_checkpoint(sample()));
  std::vector<std::string> bad = {"", "not json", "[]", "{\"version\":1", std::string(100000, '['), "null"};
  auto mutate = [&](auto change) {
    json doc = good;
    change(doc);
    bad.push_back(doc.dump());
  };
  mutate([](json& d) { d["version"] = 2; });
  mutate([](json& d) { d.erase("version"); });
  mutate([](json& d) { d["fleet"] = 7; });
  mutate([](json& d) { d.erase("taskId"); });
  mutate([](json& d) { d["messages"] = json::array(); });
  mutate([](json& d) { d["messages"] = "x"; });
  mutate([](json& d) { d["messages"][0]["role"] = "system"; });
  mutate([](json& d) { d["messages"][0]["content"] = {{"type", "text"}}; });
  mutate([](json& d) { d["messages"][1]["content"][0]["type"] = "image"; });
  mutate([](json& d) { d["messages"][1]["content"][1].erase("id"); });
  mutate([](json& d) { d["messages"][1]["content"][0]["text"] = json::array(); });
  mutate([](json& d) { d["messages"][0] = {{"role", "assistant"}, {"content", json::array()}}; });
  mutate([](json& d) { d["toolResults"] = {{{"type", "text"}, {"text", "x"}}}; });
  mutate([](json& d) { d["inFlight"] = "remember"; });
  mutate([](json& d) { d["inFlight"].erase("callId"); });
  mutate([](json& d) { d["usage"] = 5; });
  mutate([](json& d) { d["usage"]["input"] = "many"; });
  mutate([](json& d) { d["gathered"] = 1; });
  mutate([](json& d) { d["turns"] = "two"; });
  for (const auto& text : bad) {
    auto decoded = decode_checkpoint(text);
    EXPECT_FALSE(decoded) << text.substr(0, 200);
    if (!decoded) {
      EXPECT_EQ(decoded.error().code, ErrorCode::invalid_params);
    }
  }
}

TEST(CheckpointEncoding, NumbersFromTheStoreAreClamped) {
  json doc = json::parse(encode_checkpoint(sample()));
  doc["usage"]["input"] = -5;
  doc["usage"]["output"] = 1e300;
  doc["turns"] = 1e12;
  auto decoded = decode_checkpoint(doc.dump());
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->usage.input_tokens, 0);
  EXPECT_EQ(decoded->usage.output_tokens, 1'000'000'000'000);
  EXPECT_EQ(decoded->turns, 100'000);
}

class SkillIdempotent : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::canonical(rt::make_temp_dir("rt-idem-unit"));
    fs::create_directories(dir_ / "skills/probe");
    std::ofstream(dir_ / "skills/probe/run.sh") << "#!/bin/sh\n";
    fs::permissions(dir_ / "skills/probe/run.sh", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Skill load(const std::string& front) {
    std::ofstream(dir_ / "skills/probe/SKILL.md", std::ios::trunc) << "---\nname: probe\ncommand: [./run.sh]\n" << front << "---\n";
    return load_skill(dir_, dir_ / "skills/probe");
  }
  fs::path dir_;
};

TEST_F(SkillIdempotent, DefaultsToFalseAndReadsTrueOrFalse) {
  EXPECT_FALSE(load("").idempotent);
  EXPECT_TRUE(load("idempotent: true\n").idempotent);
  EXPECT_FALSE(load("idempotent: false\n").idempotent);
}

TEST_F(SkillIdempotent, AnythingElseIsRefusedNamingTheField) {
  for (const char* value : {"yes", "1", "[true]", "maybe"}) {
    try {
      load(std::string("idempotent: ") + value + "\n");
      ADD_FAILURE() << value << " was accepted";
    } catch (const config::ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find("idempotent"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace rt::gateway
