#pragma once
// A remote MCP tool as one of the knight's tools: named "<server>__<tool>", run with tools/call
// within the earlier of the server's timeout and the task's deadline, its answer rendered as
// text for the model and capped like a skill's output. A failure of any kind (server down,
// slow, not JSON-RPC, isError) is a tool error the model reads; it never throws or hangs.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/mcp/session.hpp"

namespace rt::mcp {

// A CallToolResult as text: text blocks as they are, embedded text resources' text, the other
// kinds (image, audio, resource links, binary resources) as a one-line note; structuredContent
// as JSON when there is no text. At most max_bytes (cut on a character boundary, marked).
std::string render_call_result(const nlohmann::json& result, size_t max_bytes);

std::unique_ptr<gateway::Tool> make_mcp_tool(std::shared_ptr<Session> session, RemoteTool remote, size_t max_output_bytes, Logger logger);

}  // namespace rt::mcp
