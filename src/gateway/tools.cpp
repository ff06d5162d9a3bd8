#include "roundtable/gateway/tools.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "roundtable/common/time.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::gateway {

using nlohmann::json;

void ToolRegistry::add(std::unique_ptr<Tool> tool) {
  auto spec = tool->spec();
  std::lock_guard lock(mutex_);
  put(std::move(tool), std::move(spec));
}

void ToolRegistry::replace_prefix(const std::string& prefix, std::vector<std::unique_ptr<Tool>> tools) {
  std::vector<llm::ToolSpec> specs;
  for (const auto& tool : tools) specs.push_back(tool->spec());
  std::lock_guard lock(mutex_);
  auto has_prefix = [&](const std::string& name) { return name.rfind(prefix, 0) == 0; };
  std::erase_if(tools_, [&](const auto& entry) { return has_prefix(entry.first); });
  std::erase_if(specs_, [&](const llm::ToolSpec& spec) { return has_prefix(spec.name); });
  for (size_t i = 0; i < tools.size(); ++i) put(std::move(tools[i]), std::move(specs[i]));
}

// A tool's spec does not change: built once, when the tool is added, rather than on every LLM
// call or every addition (building the schemas from initializer lists costs more than the copy
// handed out).
void ToolRegistry::put(std::unique_ptr<Tool> tool, llm::ToolSpec spec) {
  auto at = std::lower_bound(specs_.begin(), specs_.end(), spec.name,
                             [](const llm::ToolSpec& held, const std::string& name) { return held.name < name; });
  std::string name = spec.name;
  if (at != specs_.end() && at->name == name) *at = std::move(spec);
  else specs_.insert(at, std::move(spec));
  tools_[name] = std::move(tool);
}

std::vector<llm::ToolSpec> ToolRegistry::specs() const {
  std::lock_guard lock(mutex_);
  return specs_;
}

bool ToolRegistry::has(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return tools_.count(name) > 0;
}

bool ToolRegistry::idempotent(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = tools_.find(name);
  return it != tools_.end() && it->second->idempotent();
}

ToolResult ToolRegistry::run(const std::string& name, const json& input, ToolContext& context) const {
  std::shared_ptr<Tool> tool;
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(name);
    if (it == tools_.end()) return {"unknown tool '" + name + "'", true};
    tool = it->second;
  }
  return tool->run(input, context);
}

namespace {

// Required properties present and of the declared primitive type: enough to catch a model's slip.
std::optional<std::string> schema_problem(const json& schema, const json& input) {
  if (!input.is_object()) return "input must be a JSON object";
  if (auto required = schema.find("required"); required != schema.end() && required->is_array())
    for (const auto& name : *required)
      if (name.is_string() && !input.contains(name.get<std::string>())) return "missing required field '" + name.get<std::string>() + "'";
  if (auto props = schema.find("properties"); props != schema.end() && props->is_object())
    for (const auto& [key, prop] : props->items()) {
      if (!input.contains(key) || !prop.is_object() || !prop.contains("type") || !prop["type"].is_string()) continue;
      const std::string type = prop["type"];
      const json& value = input[key];
      bool ok = (type == "string" && value.is_string()) || (type == "integer" && value.is_number_integer()) ||
                (type == "number" && value.is_number()) || (type == "boolean" && value.is_boolean()) ||
                (type == "array" && value.is_array()) || (type == "object" && value.is_object());
      if (!ok) return "field '" + key + "' must be of type " + type;
    }
  return std::nullopt;
}

class SkillTool final : public Tool {
 public:
  SkillTool(Skill skill, ToolDeps deps) : skill_(std::move(skill)), deps_(std::move(deps)) {}
  llm::ToolSpec spec() const override { return {skill_.name, skill_.description, skill_.input_schema}; }
  bool idempotent() const override { return skill_.idempotent; }
  ToolResult run(const json& input, ToolContext& context) override {
    if (auto problem = schema_problem(skill_.input_schema, input)) return {"invalid input for " + skill_.name + ": " + *problem, true};
    Skill bounded = skill_;
    if (context.deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*context.deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds(0)) return {"skill " + skill_.name + " not run: the task's deadline has passed", true};
      bounded.timeout = std::min(bounded.timeout, left);
    }
    auto run = run_skill(bounded, input, deps_.sandbox, context.canceled);
    if (!run) return {run.error().message, true};
    deps_.logger.info("skill.ran", {{"skill", skill_.name}, {"task_id", context.task_id}, {"exit_code", run->exit_code},
                                    {"timed_out", run->timed_out}, {"truncated", run->truncated}});
    if (run->cancelled) return {"skill " + skill_.name + " was killed: the task was cancelled", true};
    if (run->timed_out)
      return {"skill " + skill_.name + " was killed after its timeout of " + std::to_string(bounded.timeout.count()) + "ms" +
                  (bounded.timeout < skill_.timeout ? " (the task's deadline)" : ""),
              true};
    std::string output = run->output + (run->truncated ? "\n[output truncated]" : "");
    if (run->exit_code != 0) return {"skill " + skill_.name + " failed (exit " + std::to_string(run->exit_code) + "): " + run->errors + output, true};
    return {output, false};
  }

 private:
  Skill skill_;
  ToolDeps deps_;
};

class RememberTool final : public Tool {
 public:
  RememberTool(ToolDeps deps, std::shared_ptr<std::mutex> lock) : deps_(std::move(deps)), lock_(std::move(lock)) {}
  llm::ToolSpec spec() const override {
    return {"remember", "Append one durable fact to this knight's MEMORY.md, read on every later task.",
            {{"type", "object"}, {"properties", {{"fact", {{"type", "string"}}}}}, {"required", {"fact"}}}};
  }
  ToolResult run(const json& input, ToolContext&) override {
    if (auto problem = schema_problem(spec().input_schema, input)) return {*problem, true};
    std::lock_guard guard(*lock_);
    auto size = append_memory(deps_.workspace->memory_file, input["fact"].get<std::string>(), deps_.workspace->knight.memory_max_bytes);
    if (!size) return {size.error().message, true};
    return {"remembered (" + std::to_string(*size) + " bytes of memory)", false};
  }

 private:
  ToolDeps deps_;
  std::shared_ptr<std::mutex> lock_;
};

class SharedTool final : public Tool {
 public:
  SharedTool(bool set, ToolDeps deps, std::shared_ptr<LocalSharedMemory> local)
      : set_(set), deps_(std::move(deps)), local_(std::move(local)) {}
  llm::ToolSpec spec() const override {
    json props = {{"key", {{"type", "string"}}}};
    if (set_) props["value"] = {{"type", "string"}};
    return {set_ ? "shared_set" : "shared_get",
            set_ ? "Store a value in the fleet's shared memory, readable by every knight."
                 : "Read a value from the fleet's shared memory.",
            {{"type", "object"}, {"properties", props}, {"required", set_ ? json{"key", "value"} : json{"key"}}}};
  }
  // Reading, or writing the same value again, changes nothing a second time.
  bool idempotent() const override { return true; }
  ToolResult run(const json& input, ToolContext&) override {
    if (auto problem = schema_problem(spec().input_schema, input)) return {*problem, true};
    std::string key = input["key"];
    if (key.empty() || key.size() > 200 || key.find_first_of(" \r\n") != std::string::npos) return {"key must be 1-200 characters without spaces", true};
    std::string redis_key = "rt:" + deps_.fleet + ":shared:" + key;
    if (set_) {
      std::string value = input["value"];
      if (!deps_.redis) {
        std::lock_guard guard(local_->mutex);
        local_->values[key] = value;
        return {"stored (this gateway only: no REDIS_URL)", false};
      }
      if (auto status = deps_.redis->set(redis_key, value); !status) return {status.error().message, true};
      return {"stored", false};
    }
    if (!deps_.redis) {
      std::lock_guard guard(local_->mutex);
      auto it = local_->values.find(key);
      return {it == local_->values.end() ? "(not set)" : it->second, false};
    }
    auto value = deps_.redis->get(redis_key);
    if (!value) return {value.error().message, true};
    return {value->value_or("(not set)"), false};
  }

 private:
  bool set_;
  ToolDeps deps_;
  std::shared_ptr<LocalSharedMemory> local_;
};

}  // namespace

namespace {
// Replicas of a knight may share one workspace volume: an advisory lock beside MEMORY.md keeps
// their read-append-rename steps from losing each other's facts.
class MemoryFileLock {
 public:
  explicit MemoryFileLock(const std::filesystem::path& memory_file) {
    auto path = memory_file;
    path += ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~MemoryFileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  MemoryFileLock(const MemoryFileLock&) = delete;
  MemoryFileLock& operator=(const MemoryFileLock&) = delete;

 private:
  int fd_ = -1;
};
}  // namespace

Result<size_t> append_memory(const std::filesystem::path& memory_file, const std::string& fact, size_t max_bytes) {
  MemoryFileLock lock(memory_file);
  std::string clean;
  for (char c : fact) clean += (c == '\n' || c == '\r') ? ' ' : c;
  std::ifstream in(memory_file, std::ios::binary);
  std::stringstream current;
  current << in.rdbuf();
  std::string text = current.str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::string date = format_rfc3339(std::chrono::system_clock::now()).substr(0, 10);
  text += "- " + date + ": " + clean + "\n";
  if (text.size() > max_bytes)
    return make_error(ErrorCode::invalid_params, "memory is full (" + std::to_string(max_bytes) + " bytes, memory.max_bytes); not remembered");
  auto temp = memory_file;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return make_error(ErrorCode::io_error, "cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, memory_file, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot replace " + memory_file.string() + ": " + ec.message());
  return text.size();
}

std::unique_ptr<Tool> make_skill_tool(const Skill& skill, const ToolDeps& deps) { return std::make_unique<SkillTool>(skill, deps); }
std::unique_ptr<Tool> make_remember_tool(const ToolDeps& deps, std::shared_ptr<std::mutex> lock) {
  return std::make_unique<RememberTool>(deps, std::move(lock));
}
std::unique_ptr<Tool> make_shared_get_tool(const ToolDeps& deps, std::shared_ptr<LocalSharedMemory> local) {
  return std::make_unique<SharedTool>(false, deps, std::move(local));
}
std::unique_ptr<Tool> make_shared_set_tool(const ToolDeps& deps, std::shared_ptr<LocalSharedMemory> local) {
  return std::make_unique<SharedTool>(true, deps, std::move(local));
}

}  // namespace rt::gateway
