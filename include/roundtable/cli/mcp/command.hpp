#pragma once
// `roundtable mcp`: the fleet as an MCP server (src/cli/mcp/, docs/mcp.md).
#include "roundtable/cli/cli.hpp"

namespace rt::cli {

Command mcp_command();

}  // namespace rt::cli
