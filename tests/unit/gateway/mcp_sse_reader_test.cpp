// Server-sent events framing, as a Streamable HTTP MCP server answers.
#include <gtest/gtest.h>

#include "roundtable/mcp/sse_reader.hpp"

namespace rt::mcp {
namespace {

TEST(McpSseReader, ReadsEventsSplitAnywhereWithAnyLineEnd) {
  const std::string stream = "id: 1\ndata: \n\nevent: message\r\nid: 2\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: comment\rdata:x\r\r";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SseReader reader(1024);
    auto events = reader.feed(stream.substr(0, cut));
    auto rest = reader.feed(stream.substr(cut));
    events.insert(events.end(), rest.begin(), rest.end());
    ASSERT_EQ(events.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(events[0].data, "") << "a priming event";
    EXPECT_EQ(events[0].id, "1");
    EXPECT_EQ(events[1].event, "message");
    EXPECT_EQ(events[1].id, "2");
    EXPECT_EQ(events[1].data, "{\"a\":\n1}");
    EXPECT_EQ(events[2].data, "x");
  }
}

TEST(McpSseReader, AnEventWithoutDataIsNoEvent) {
  SseReader reader(1024);
  EXPECT_TRUE(reader.feed("event: ping\n\n: keep-alive\n\n").empty());
}

TEST(McpSseReader, AnOversizedEventOrEndlessLineFailsTheReader) {
  SseReader reader(16);
  EXPECT_TRUE(reader.feed("data: " + std::string(40, 'x')).empty());
  EXPECT_TRUE(reader.failed());
  EXPECT_TRUE(reader.feed("\n\ndata: ok\n\n").empty()) << "stays failed";
  SseReader joined(16);
  joined.feed("data: 0123456789\ndata: 0123456789\n");
  EXPECT_TRUE(joined.failed()) << "the joined data counts";
}

}  // namespace
}  // namespace rt::mcp
