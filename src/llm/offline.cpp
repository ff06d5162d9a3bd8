// The offline provider: no network, a deterministic answer from the workspace and the task.
#include <set>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/llm/providers.hpp"

namespace rt::llm {
namespace {

using nlohmann::json;

// Tools the offline model never calls on its own: they need judgement about what to write.
const std::set<std::string> kNeedsJudgement{"remember", "shared_get", "shared_set", "spawn_subagents"};

bool needs_no_input(const ToolSpec& tool) {
  auto required = tool.input_schema.find("required");
  return required == tool.input_schema.end() || !required->is_array() || required->empty();
}

int64_t rough_tokens(size_t chars) { return static_cast<int64_t>(chars / 4 + 1); }

using ordered = nlohmann::ordered_json;

std::string scalar_text(const ordered& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return value.dump();
}

// One line for an object: its first few scalar fields, joined.
std::string object_line(const ordered& object) {
  std::string line;
  int shown = 0;
  for (const auto& [key, value] : object.items()) {
    if (value.is_structured() || shown == 5) continue;
    line += (line.empty() ? "" : " · ") + scalar_text(value);
    ++shown;
  }
  return line;
}

// A skill's JSON output as a few readable markdown bullets; other text stays as it is.
std::string readable(const std::string& text) {
  auto parsed = parse_ordered_json_bounded(text);  // keeps the skill's field order
  if (!parsed || !parsed->is_object()) return text;
  const ordered& doc = *parsed;
  std::string out;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_array() && !value.empty() && value[0].is_object()) {
      out += "- " + key + ":\n";
      for (size_t i = 0; i < value.size() && i < 6; ++i) out += "  - " + object_line(value[i]) + "\n";
      if (value.size() > 6) out += "  - … " + std::to_string(value.size() - 6) + " more\n";
    } else if (value.is_object()) {
      out += "- " + key + ": " + object_line(value) + "\n";
    } else {
      out += "- " + key + ": " + (value.is_array() ? value.dump() : scalar_text(value)) + "\n";
    }
  }
  return out;
}

class Offline final : public Provider {
 public:
  explicit Offline(OfflineWorkspace workspace) : workspace_(std::move(workspace)) {}
  std::string name() const override { return "offline"; }

  Outcome complete(const Request& request) override {
    Response response;
    response.model = "offline";
    size_t prompt_chars = request.system.size();
    std::vector<const Block*> results;
    std::map<std::string, std::string> tool_names;
    std::string task_text;
    for (const auto& m : request.messages)
      for (const auto& b : m.content) {
        if (b.kind == Block::Kind::text) prompt_chars += b.text.size();
        if (b.kind == Block::Kind::text && m.role == "user" && task_text.empty()) task_text = b.text;
        if (b.kind == Block::Kind::tool_use) tool_names[b.tool_id] = b.tool_name;
        if (b.kind == Block::Kind::tool_result) results.push_back(&b), prompt_chars += b.text.size();
      }
    if (results.empty()) {
      int n = 0;
      for (const auto& tool : request.tools)
        if (!kNeedsJudgement.count(tool.name) && needs_no_input(tool))
          response.content.push_back(Block::make_tool_use("offline-" + std::to_string(++n), tool.name, json::object()));
    }
    if (!response.content.empty()) {
      response.stop_reason = "tool_use";
    } else {
      response.content.push_back(Block::make_text(in_asked_format(task_text, answer(task_text, results, tool_names))));
      response.stop_reason = "end_turn";
    }
    response.usage.input_tokens = rough_tokens(prompt_chars);
    response.usage.output_tokens = rough_tokens(response.text().size());
    return Outcome::success(std::move(response));
  }

 private:
  std::string answer(const std::string& task_text, const std::vector<const Block*>& results,
                     const std::map<std::string, std::string>& tool_names) const {
    std::string out = "*[offline answer: no LLM was called]*\n\n";
    out += "**" + workspace_.agent + "**" + (workspace_.soul_title.empty() ? "" : " — " + workspace_.soul_title) + "\n\n";
    out += "> " + task_text.substr(0, task_text.find('\n')) + "\n\n";
    if (results.empty()) out += "No skill applies without input; " + std::to_string(workspace_.memory_lines) + " memory notes on file.\n";
    for (const auto* result : results) {
      auto name = tool_names.count(result->tool_id) ? tool_names.at(result->tool_id) : result->tool_id;
      std::string text = readable(result->text);
      std::string content = text.size() > 12000 ? text.substr(0, 12000) + "\n…" : text;
      out += "### " + name + (result->is_error ? " (failed)" : "") + "\n" + content + "\n\n";
    }
    return out;
  }

  // The task message says "Response format: json" when the task asked for JSON (render_task_message):
  // the gateway then accepts only one JSON value, so the offline answer is wrapped in one.
  std::string in_asked_format(const std::string& task_text, std::string answer) const {
    if (task_text.find("\nResponse format: json\n") == std::string::npos) return answer;
    return json{{"offline", true}, {"agent", workspace_.agent}, {"answer", std::move(answer)}}.dump(-1, ' ', false,
                                                                                                json::error_handler_t::replace);
  }

  OfflineWorkspace workspace_;
};

}  // namespace

std::unique_ptr<Provider> make_offline(OfflineWorkspace workspace) { return std::make_unique<Offline>(std::move(workspace)); }

}  // namespace rt::llm
