#pragma once
// The MCP tools of `roundtable mcp`: ask (one knight or domain), fanout (many at once) and
// knights (the live roster). A failure of the work itself (no answer in time, a failed task, no
// such knight, bad arguments) is a CallToolResult with isError, never a protocol error.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/cli/mcp/fleet.hpp"
#include "roundtable/cli/mcp/recent_results.hpp"
#include "roundtable/common/result.hpp"

namespace rt::cli::mcp {

struct ToolLimits {
  std::chrono::milliseconds default_deadline{std::chrono::seconds(60)};
  std::chrono::milliseconds max_deadline{std::chrono::minutes(10)};
  size_t max_fanout = 32;  // tasks one fanout call may send
};

class Tools {
 public:
  Tools(Fleet& fleet, RecentResults& results, ToolLimits limits) : fleet_(fleet), results_(results), limits_(limits) {}
  // tools/list's "tools": name, title, description, inputSchema, outputSchema, annotations.
  nlohmann::json list() const;
  // A CallToolResult; only an unknown tool name is an error (not_found).
  Result<nlohmann::json> call(const std::string& name, const nlohmann::json& arguments, const CallContext& context);

 private:
  nlohmann::json ask(const nlohmann::json& arguments, const CallContext& context);
  nlohmann::json fanout(const nlohmann::json& arguments, const CallContext& context);
  nlohmann::json knights(const nlohmann::json& arguments);
  Result<std::chrono::milliseconds> deadline_of(const nlohmann::json& arguments) const;
  nlohmann::json answer_json(const nats::TaskAnswer& answer, bool cancelled) const;

  Fleet& fleet_;
  RecentResults& results_;
  ToolLimits limits_;
};

// A CallToolResult carrying only an error text.
nlohmann::json tool_error(const std::string& text);

}  // namespace rt::cli::mcp
