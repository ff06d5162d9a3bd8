// A CallToolResult rendered as the text the model reads.
#include <gtest/gtest.h>

#include "roundtable/mcp/mcp_tool.hpp"

namespace rt::mcp {
namespace {

using nlohmann::json;

TEST(McpCallResult, TextBlocksAsTheyAreOtherKindsAsANote) {
  json result = {{"content",
                  {{{"type", "text"}, {"text", "first"}},
                   {{"type", "image"}, {"mimeType", "image/png"}, {"data", "AAAA"}},
                   {{"type", "resource_link"}, {"name", "log"}, {"uri", "file:///log"}},
                   {{"type", "resource"}, {"resource", {{"uri", "file:///a"}, {"text", "inside"}}}},
                   {{"type", "resource"}, {"resource", {{"uri", "file:///b"}, {"mimeType", "application/zip"}, {"blob", "UEsD"}}}},
                   {{"type", "hologram"}}}}};
  EXPECT_EQ(render_call_result(result, 10000),
            "first\n[image image/png, 4 bytes of base64]\n[resource link: log file:///log]\n[resource file:///a]\ninside\n"
            "[resource file:///b application/zip, binary]\n[hologram content]");
}

TEST(McpCallResult, StructuredContentWhenThereIsNoText) {
  EXPECT_EQ(render_call_result({{"content", json::array()}, {"structuredContent", {{"t", 21}}}}, 100), R"({"t":21})");
  EXPECT_EQ(render_call_result({{"content", {{{"type", "text"}, {"text", "21 degrees"}}}}, {"structuredContent", {{"t", 21}}}}, 100),
            "21 degrees") << "the text already carries it";
}

TEST(McpCallResult, CutOnACharacterBoundaryAndMarked) {
  json result = {{"content", {{{"type", "text"}, {"text", "ab\xc3\xa9" "cd"}}}}};
  EXPECT_EQ(render_call_result(result, 3), "ab\n[output truncated]");
  EXPECT_EQ(render_call_result({{"content", "not a list"}}, 10), "");
}

}  // namespace
}  // namespace rt::mcp
