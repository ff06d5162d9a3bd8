#include "roundtable/gateway/a2a/requests.hpp"

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt::gateway::a2a {

using nlohmann::json;

namespace {

constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxParts = 64;

// Null when absent; the error when present with the wrong type.
std::optional<jsonrpc::RpcError> optional_string(const json& object, const char* key, const std::string& where, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return invalid_params(where + key + " must be a string");
  out = it->get<std::string>();
  if (out.size() > kMaxIdBytes) return invalid_params(where + key + " is longer than " + std::to_string(kMaxIdBytes) + " bytes");
  return std::nullopt;
}

Checked<std::optional<size_t>> history_length_of(const json& object, const std::string& where) {
  auto it = object.find("historyLength");
  if (it == object.end() || it->is_null()) return std::optional<size_t>{};
  if (!it->is_number_integer() && !it->is_number_unsigned()) return invalid_params(where + "historyLength must be an integer");
  auto value = clamped_integer(*it, -1, 1'000'000);
  if (!value || *value < 0) return invalid_params(where + "historyLength must be 0 or more");
  return std::optional<size_t>{static_cast<size_t>(*value)};
}

// Text and data parts become the agent's text; files (url, raw) are not read by this agent.
Checked<std::string> text_of_parts(const json& parts) {
  if (!parts.is_array() || parts.empty()) return invalid_params("message.parts must be a non-empty array");
  if (parts.size() > kMaxParts) return invalid_params("message.parts has more than " + std::to_string(kMaxParts) + " parts");
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    const json& part = parts[i];
    std::string where = "message.parts[" + std::to_string(i) + "]";
    if (!part.is_object()) return invalid_params(where + " must be an object");
    if (part.contains("text")) {
      if (!part["text"].is_string()) return invalid_params(where + ".text must be a string");
      text += (text.empty() ? "" : "\n\n") + part["text"].get<std::string>();
    } else if (part.contains("data")) {
      text += (text.empty() ? "" : "\n\n") + part["data"].dump(-1, ' ', false, json::error_handler_t::replace);
    } else if (part.contains("url") || part.contains("raw")) {
      return jsonrpc::RpcError{kContentTypeNotSupported, where + " is a file; this agent reads text and data parts only", std::nullopt};
    } else {
      return invalid_params(where + " has none of text, data, url, raw");
    }
  }
  return text;
}

std::optional<jsonrpc::RpcError> read_configuration(const json& params, SendRequest& out) {
  auto it = params.find("configuration");
  if (it == params.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) return invalid_params("configuration must be an object");
  const json& config = *it;
  if (auto flag = config.find("returnImmediately"); flag != config.end() && !flag->is_null()) {
    if (!flag->is_boolean()) return invalid_params("configuration.returnImmediately must be a boolean");
    out.return_immediately = flag->get<bool>();
  }
  auto history = history_length_of(config, "configuration.");
  if (auto* error = std::get_if<jsonrpc::RpcError>(&history)) return *error;
  out.history_length = std::get<std::optional<size_t>>(history);
  if (auto modes = config.find("acceptedOutputModes"); modes != config.end() && !modes->is_null()) {
    if (!modes->is_array()) return invalid_params("configuration.acceptedOutputModes must be an array of media types");
    bool text_ok = modes->empty();
    for (const auto& mode : *modes) {
      if (!mode.is_string()) return invalid_params("configuration.acceptedOutputModes must be an array of media types");
      const std::string& m = mode.get_ref<const std::string&>();
      if (m.rfind("text/", 0) == 0 || m == "*/*") text_ok = true;
    }
    if (!text_ok)
      return jsonrpc::RpcError{kContentTypeNotSupported, "this agent answers in text/markdown or text/plain only", std::nullopt};
  }
  return std::nullopt;
}

}  // namespace

jsonrpc::RpcError invalid_params(std::string message) { return jsonrpc::RpcError{jsonrpc::kInvalidParams, std::move(message), std::nullopt}; }

Checked<SendRequest> read_send_request(const json& params) {
  if (!params.is_object()) return invalid_params("params must be an object");
  auto it = params.find("message");
  if (it == params.end() || !it->is_object()) return invalid_params("params.message must be an object");
  const json& message = *it;
  SendRequest out;
  std::string message_id, role = "ROLE_USER", task_id;
  for (auto [key, target] : {std::pair{"messageId", &message_id}, {"role", &role}, {"contextId", &out.context_id}, {"taskId", &task_id}})
    if (auto error = optional_string(message, key, "message.", *target)) return *error;
  if (message_id.empty()) return invalid_params("message.messageId is required: a string the client chooses");
  if (role != "ROLE_USER" && role != "user") return invalid_params("message.role must be ROLE_USER");
  if (!task_id.empty()) out.task_id = task_id;
  if (message.contains("metadata") && !message["metadata"].is_object() && !message["metadata"].is_null())
    return invalid_params("message.metadata must be an object");
  if (params.contains("metadata") && !params["metadata"].is_object() && !params["metadata"].is_null())
    return invalid_params("metadata must be an object");
  auto text = text_of_parts(message.contains("parts") ? message["parts"] : json());
  if (auto* error = std::get_if<jsonrpc::RpcError>(&text)) return *error;
  out.text = std::move(std::get<std::string>(text));
  if (auto error = read_configuration(params, out)) return *error;
  if (out.context_id.empty()) out.context_id = make_uuid_v4();
  out.message = {{"messageId", message_id}, {"role", "ROLE_USER"}, {"parts", message["parts"]}};
  if (message.contains("metadata") && message["metadata"].is_object()) out.message["metadata"] = message["metadata"];
  return out;
}

Checked<TaskQuery> read_task_query(const json& params) {
  if (!params.is_object()) return invalid_params("params must be an object");
  TaskQuery out;
  if (auto error = optional_string(params, "id", "params.", out.id)) return *error;
  if (out.id.empty()) return invalid_params("params.id is required: the task's id");
  auto history = history_length_of(params, "params.");
  if (auto* error = std::get_if<jsonrpc::RpcError>(&history)) return *error;
  out.history_length = std::get<std::optional<size_t>>(history);
  return out;
}

}  // namespace rt::gateway::a2a
