// The MCP server's pure parts: version negotiation, result URIs, the recent-results ring.
#include <gtest/gtest.h>

#include "roundtable/cli/mcp/recent_results.hpp"
#include "roundtable/cli/mcp/server.hpp"

namespace rt::cli::mcp {
namespace {

nats::TaskAnswer answer(const std::string& id, const std::string& content = "ok") {
  nats::TaskAnswer a;
  a.task_id = id;
  a.task = "security.briefing";
  a.answered = a.completed = true;
  a.agent = "galahad";
  a.envelope = {{"type", "task.result"}, {"from", "galahad"}, {"payload", {{"status", "completed"}, {"result", {{"content", content}}}}}};
  return a;
}

TEST(McpVersion, AKnownRevisionIsKeptAndAnyOtherGetsTheLatest) {
  EXPECT_EQ(negotiate_version("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate_version("2024-11-05"), "2024-11-05");
  EXPECT_EQ(negotiate_version("2099-01-01"), "2025-11-25");
  EXPECT_EQ(negotiate_version(""), "2025-11-25");
  EXPECT_FALSE(supported_version("2024-10-07"));
}

TEST(McpResultUri, OnlyAPlainTaskIdIsAResultUri) {
  EXPECT_EQ(task_id_of_uri(result_uri("0a74de21-b14b-4680-977b-e483f1490f47")), "0a74de21-b14b-4680-977b-e483f1490f47");
  EXPECT_EQ(task_id_of_uri("roundtable://results/"), "");
  EXPECT_EQ(task_id_of_uri("roundtable://results/../etc"), "");
  EXPECT_EQ(task_id_of_uri("roundtable://knights"), "");
  EXPECT_EQ(task_id_of_uri("file:///etc/passwd"), "");
}

TEST(McpRecentResults, KeepsTheNewestWithinCountAndBytes) {
  RecentResults by_count(2);
  by_count.add(answer("aaaa1111"));
  by_count.add(answer("bbbb2222"));
  by_count.add(answer("cccc3333"));
  EXPECT_FALSE(by_count.find("aaaa1111"));
  ASSERT_TRUE(by_count.find("cccc3333"));
  auto list = by_count.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["uri"], "roundtable://results/cccc3333") << "newest first";
  EXPECT_EQ(list[0]["mimeType"], "application/json");

  RecentResults by_bytes(100, 4096);
  by_bytes.add(answer("dddd4444", std::string(3000, 'x')));
  by_bytes.add(answer("eeee5555", std::string(3000, 'y')));
  EXPECT_FALSE(by_bytes.find("dddd4444")) << "the byte budget drops the oldest";
  EXPECT_TRUE(by_bytes.find("eeee5555"));
}

TEST(McpRecentResults, ALateAnswerReplacesTheKeptOne) {
  RecentResults results(10);
  auto pending = answer("ffff6666");
  pending.answered = pending.completed = false;
  pending.envelope = nullptr;
  results.add(pending);
  EXPECT_FALSE(results.find("ffff6666")->answered);
  EXPECT_TRUE(results.update(answer("ffff6666", "late")));
  EXPECT_TRUE(results.find("ffff6666")->completed);
  EXPECT_FALSE(results.update(answer("99999999")));
}

}  // namespace
}  // namespace rt::cli::mcp
