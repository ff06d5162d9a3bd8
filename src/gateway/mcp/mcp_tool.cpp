#include "roundtable/mcp/mcp_tool.hpp"

#include "roundtable/llm/types.hpp"

namespace rt::mcp {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr size_t kMaxDescription = 2000;

std::string string_field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

std::string render_block(const json& block) {
  const std::string type = string_field(block, "type");
  if (type == "text") return string_field(block, "text");
  if (type == "image" || type == "audio")
    return "[" + type + " " + string_field(block, "mimeType") + ", " + std::to_string(string_field(block, "data").size()) + " bytes of base64]";
  if (type == "resource_link") return "[resource link: " + string_field(block, "name") + " " + string_field(block, "uri") + "]";
  if (type == "resource") {
    const json resource = block.is_object() && block.contains("resource") ? block["resource"] : json::object();
    if (resource.is_object() && resource.contains("text") && resource["text"].is_string())
      return "[resource " + string_field(resource, "uri") + "]\n" + resource["text"].get<std::string>();
    return "[resource " + string_field(resource, "uri") + " " + string_field(resource, "mimeType") + ", binary]";
  }
  return "[" + (type.empty() ? std::string("unknown") : type) + " content]";
}

class McpTool final : public gateway::Tool {
 public:
  McpTool(std::shared_ptr<Session> session, RemoteTool remote, size_t max_output_bytes, Logger logger)
      : session_(std::move(session)), remote_(std::move(remote)), max_output_bytes_(max_output_bytes), logger_(std::move(logger)) {
    const auto& server = session_->config().name;
    spec_ = {tool_name(server, remote_.name), llm::utf8_prefix(remote_.description, kMaxDescription) +
                                                   (remote_.description.empty() ? "" : " ") + "(MCP server " + server + ")",
             remote_.input_schema};
  }

  llm::ToolSpec spec() const override { return spec_; }

  gateway::ToolResult run(const json& input, gateway::ToolContext& context) override {
    const auto& server = session_->config().name;
    if (!input.is_object()) return {"invalid input for " + spec_.name + ": input must be a JSON object", true};
    auto deadline = Steady::now() + session_->config().timeout;
    const bool task_deadline_first = context.deadline && *context.deadline < deadline;
    if (task_deadline_first) deadline = *context.deadline;
    if (deadline <= Steady::now()) return {spec_.name + " not run: the task's deadline has passed", true};
    auto started = Steady::now();
    auto answer = session_->call_tool(remote_.name, input, deadline);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started).count();
    gateway::ToolResult result = outcome(answer, server, task_deadline_first);
    logger_.info("mcp.called", {{"server", server}, {"tool", remote_.name}, {"task_id", context.task_id},
                                {"duration_ms", took}, {"error", result.is_error}});
    return result;
  }

 private:
  gateway::ToolResult outcome(const Result<CallAnswer>& answer, const std::string& server, bool task_deadline_first) const {
    const std::string who = "MCP server " + server;
    if (!answer) {
      if (answer.error().code == ErrorCode::timeout) {
        auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(session_->config().timeout).count();
        return {who + " did not answer " + remote_.name + " in time (" +
                    (task_deadline_first ? std::string("the task's deadline") : "its timeout of " + std::to_string(limit) + "ms") + ")",
                true};
      }
      return {who + " failed to run " + remote_.name + ": " + answer.error().message, true};
    }
    if (answer->rpc_error) {
      // An unknown tool (renamed or removed on the server): the list is re-read for later tasks.
      if (answer->rpc_error->code == jsonrpc::kMethodNotFound || answer->rpc_error->code == jsonrpc::kInvalidParams) session_->tools_changed();
      return {who + " refused " + remote_.name + ": " + answer->rpc_error->message, true};
    }
    const json& result = answer->result;
    std::string text = render_call_result(result, max_output_bytes_);
    const bool is_error = result.contains("isError") && result["isError"].is_boolean() && result["isError"].get<bool>();
    if (is_error && text.find("not found") != std::string::npos && text.find(remote_.name) != std::string::npos) session_->tools_changed();
    return {text, is_error};
  }

  std::shared_ptr<Session> session_;
  RemoteTool remote_;
  size_t max_output_bytes_;
  Logger logger_;
  llm::ToolSpec spec_;
};

}  // namespace

std::string render_call_result(const json& result, size_t max_bytes) {
  std::string text;
  if (result.contains("content") && result["content"].is_array())
    for (const auto& block : result["content"]) text += (text.empty() ? "" : "\n") + render_block(block);
  if (text.empty() && result.contains("structuredContent") && !result["structuredContent"].is_null())
    text = result["structuredContent"].dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= max_bytes) return text;
  return llm::utf8_prefix(text, max_bytes) + "\n[output truncated]";
}

std::unique_ptr<gateway::Tool> make_mcp_tool(std::shared_ptr<Session> session, RemoteTool remote, size_t max_output_bytes, Logger logger) {
  return std::make_unique<McpTool>(std::move(session), std::move(remote), max_output_bytes, std::move(logger));
}

}  // namespace rt::mcp
