// The registry hands the LLM its tools' specs in name order, each built once when its tool is
// added; a tool added again under the same name replaces the first, and replace_prefix swaps
// a whole server's tools (MCP) at once.
#include <gtest/gtest.h>

#include "roundtable/gateway/tools.hpp"

namespace rt::gateway {
namespace {

class NamedTool final : public Tool {
 public:
  NamedTool(std::string name, std::string description, int* spec_calls = nullptr)
      : name_(std::move(name)), description_(std::move(description)), spec_calls_(spec_calls) {}
  llm::ToolSpec spec() const override {
    if (spec_calls_) ++*spec_calls_;
    return {name_, description_};
  }
  ToolResult run(const nlohmann::json&, ToolContext&) override { return {}; }

 private:
  std::string name_, description_;
  int* spec_calls_;
};

std::vector<std::string> names(const ToolRegistry& tools) {
  std::vector<std::string> out;
  for (const auto& spec : tools.specs()) out.push_back(spec.name + ":" + spec.description);
  return out;
}

TEST(ToolRegistry, SpecsAreInNameOrderAndASecondAddReplacesTheFirst) {
  ToolRegistry tools;
  tools.add(std::make_unique<NamedTool>("remember", "a"));
  tools.add(std::make_unique<NamedTool>("echo", "b"));
  tools.add(std::make_unique<NamedTool>("shared_get", "c"));
  tools.add(std::make_unique<NamedTool>("echo", "d"));
  EXPECT_EQ(names(tools), (std::vector<std::string>{"echo:d", "remember:a", "shared_get:c"}));
  EXPECT_TRUE(tools.has("echo"));
}

TEST(ToolRegistry, EachSpecIsBuiltOnceWhateverIsAddedAfterIt) {
  ToolRegistry tools;
  int first_calls = 0;
  tools.add(std::make_unique<NamedTool>("first", "x", &first_calls));
  for (int i = 0; i < 20; ++i) tools.add(std::make_unique<NamedTool>("tool" + std::to_string(i), "y"));
  EXPECT_EQ(first_calls, 1);
  EXPECT_EQ(tools.specs().size(), 21u);
}

TEST(ToolRegistry, ReplacePrefixSwapsOneServersToolsAndLeavesTheRest) {
  ToolRegistry tools;
  tools.add(std::make_unique<NamedTool>("echo", "skill"));
  tools.add(std::make_unique<NamedTool>("mcp__files__read", "old"));
  tools.add(std::make_unique<NamedTool>("mcp__files__write", "old"));
  std::vector<std::unique_ptr<Tool>> fresh;
  fresh.push_back(std::make_unique<NamedTool>("mcp__files__list", "new"));
  fresh.push_back(std::make_unique<NamedTool>("mcp__files__read", "new"));
  tools.replace_prefix("mcp__files__", std::move(fresh));
  EXPECT_EQ(names(tools), (std::vector<std::string>{"echo:skill", "mcp__files__list:new", "mcp__files__read:new"}));
  EXPECT_FALSE(tools.has("mcp__files__write"));
}

}  // namespace
}  // namespace rt::gateway
