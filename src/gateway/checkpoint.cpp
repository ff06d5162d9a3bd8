#include "roundtable/gateway/checkpoint.hpp"

#include "roundtable/common/json_parse.hpp"

namespace rt::gateway {

using nlohmann::json;

namespace {

constexpr int64_t kMaxTokens = 1'000'000'000'000;

// Thrown inside decode only, turned into an Error at its edge.
struct Bad {
  std::string what;
};

const json& field(const json& object, const char* name, json::value_t type) {
  auto it = object.find(name);
  if (it == object.end()) throw Bad{std::string("'") + name + "' is missing"};
  bool ok = it->type() == type || (type == json::value_t::number_integer && it->is_number_integer());
  if (!ok) throw Bad{std::string("'") + name + "' has the wrong type"};
  return *it;
}

std::string text_field(const json& object, const char* name) { return field(object, name, json::value_t::string).get<std::string>(); }

int64_t count_field(const json& object, const char* name, int64_t hi) {
  auto it = object.find(name);
  if (it == object.end()) return 0;
  auto value = clamped_integer(*it, 0, hi);
  if (!value) throw Bad{std::string("'") + name + "' is not a number"};
  return *value;
}

llm::Block block_from(const json& doc) {
  if (!doc.is_object()) throw Bad{"a content block is not an object"};
  std::string kind = text_field(doc, "type");
  if (kind == "text") return llm::Block::make_text(text_field(doc, "text"));
  if (kind == "tool_use") {
    auto input = doc.find("input");
    return llm::Block::make_tool_use(text_field(doc, "id"), text_field(doc, "name"), input == doc.end() ? json::object() : *input);
  }
  if (kind == "tool_result") {
    auto error = doc.find("is_error");
    return llm::Block::make_tool_result(text_field(doc, "tool_use_id"), text_field(doc, "content"), error != doc.end() && error->is_boolean() && error->get<bool>());
  }
  throw Bad{"unknown content block type '" + kind + "'"};
}

std::vector<llm::Block> blocks_from(const json& doc) {
  if (!doc.is_array()) throw Bad{"content is not a list"};
  std::vector<llm::Block> blocks;
  for (const auto& item : doc) blocks.push_back(block_from(item));
  return blocks;
}

llm::Usage usage_from(const json& doc) {
  if (!doc.is_object()) throw Bad{"'usage' is not an object"};
  llm::Usage usage;
  usage.input_tokens = count_field(doc, "input", kMaxTokens);
  usage.output_tokens = count_field(doc, "output", kMaxTokens);
  usage.cache_read_tokens = count_field(doc, "cacheRead", kMaxTokens);
  usage.cache_write_tokens = count_field(doc, "cacheWrite", kMaxTokens);
  usage.cost_micro_usd = count_field(doc, "costMicroUsd", kMaxTokens);
  auto known = doc.find("costKnown");
  usage.cost_known = known == doc.end() || !known->is_boolean() || known->get<bool>();
  return usage;
}

Checkpoint checkpoint_from(const json& doc) {
  if (!doc.is_object()) throw Bad{"not an object"};
  if (count_field(doc, "version", 1000) != Checkpoint::kVersion) throw Bad{"unknown version"};
  Checkpoint c;
  c.fleet = text_field(doc, "fleet");
  c.agent = text_field(doc, "agent");
  c.task_id = text_field(doc, "taskId");
  for (const auto& message : field(doc, "messages", json::value_t::array)) {
    if (!message.is_object()) throw Bad{"a message is not an object"};
    std::string role = text_field(message, "role");
    if (role != "user" && role != "assistant") throw Bad{"a message's role is '" + role + "'"};
    c.messages.push_back({role, blocks_from(field(message, "content", json::value_t::array))});
  }
  if (c.messages.empty() || c.messages.front().role != "user") throw Bad{"the conversation does not start with the task"};
  if (auto results = doc.find("toolResults"); results != doc.end()) c.tool_results = blocks_from(*results);
  for (const auto& block : c.tool_results)
    if (block.kind != llm::Block::Kind::tool_result) throw Bad{"'toolResults' holds a block that is no tool result"};
  if (auto marker = doc.find("inFlight"); marker != doc.end() && !marker->is_null()) {
    if (!marker->is_object()) throw Bad{"'inFlight' is not an object"};
    c.in_flight = InFlightTool{text_field(*marker, "tool"), text_field(*marker, "callId"), text_field(*marker, "started")};
  }
  c.usage = usage_from(field(doc, "usage", json::value_t::object));
  if (auto gathered = doc.find("gathered"); gathered != doc.end()) {
    if (!gathered->is_string()) throw Bad{"'gathered' is not a string"};
    c.gathered = gathered->get<std::string>();
  }
  c.turns = static_cast<int>(count_field(doc, "turns", 100'000));
  c.corrections = static_cast<int>(count_field(doc, "corrections", 100));
  return c;
}

}  // namespace

json to_json(const llm::Block& block) {
  switch (block.kind) {
    case llm::Block::Kind::text:
      return {{"type", "text"}, {"text", block.text}};
    case llm::Block::Kind::tool_use:
      return {{"type", "tool_use"}, {"id", block.tool_id}, {"name", block.tool_name}, {"input", block.tool_input}};
    case llm::Block::Kind::tool_result:
      return {{"type", "tool_result"}, {"tool_use_id", block.tool_id}, {"content", block.text}, {"is_error", block.is_error}};
  }
  return json::object();
}

json to_json(const llm::Message& message) {
  json content = json::array();
  for (const auto& block : message.content) content.push_back(to_json(block));
  return {{"role", message.role}, {"content", std::move(content)}};
}

json to_json(const Checkpoint& c) {
  json messages = json::array();
  for (const auto& message : c.messages) messages.push_back(to_json(message));
  json results = json::array();
  for (const auto& block : c.tool_results) results.push_back(to_json(block));
  json doc = {{"version", Checkpoint::kVersion},
              {"fleet", c.fleet},
              {"agent", c.agent},
              {"taskId", c.task_id},
              {"messages", std::move(messages)},
              {"toolResults", std::move(results)},
              {"inFlight", nullptr},
              {"usage", {{"input", c.usage.input_tokens}, {"output", c.usage.output_tokens}, {"cacheRead", c.usage.cache_read_tokens},
                         {"cacheWrite", c.usage.cache_write_tokens}, {"costMicroUsd", c.usage.cost_micro_usd},
                         {"costKnown", c.usage.cost_known}}},
              {"gathered", c.gathered},
              {"turns", c.turns},
              {"corrections", c.corrections}};
  if (c.in_flight) doc["inFlight"] = {{"tool", c.in_flight->name}, {"callId", c.in_flight->call_id}, {"started", c.in_flight->started}};
  return doc;
}

std::string encode_checkpoint(const Checkpoint& checkpoint) {
  // Model and tool text may hold invalid UTF-8: replaced, never a throw.
  return to_json(checkpoint).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Checkpoint> decode_checkpoint(std::string_view text) {
  // A tool input may nest as deep as an LLM answer may; the checkpoint adds four levels.
  auto doc = parse_json_bounded(text, JsonLimits{.max_depth = kJsonMaxDepth + 8});
  if (!doc) return doc.error();
  try {
    return checkpoint_from(*doc);
  } catch (const Bad& bad) {
    return make_error(ErrorCode::invalid_params, "checkpoint: " + bad.what);
  }
}

}  // namespace rt::gateway
