#include "roundtable/jsonrpc/message.hpp"

#include "roundtable/common/json_parse.hpp"

namespace rt::jsonrpc {

using nlohmann::json;

namespace {

bool usable_id(const json& id) { return id.is_string() || id.is_number_integer() || id.is_number_unsigned(); }

ReadFailure invalid(std::string message, json id = nullptr) {
  return ReadFailure{RpcError{kInvalidRequest, std::move(message), std::nullopt}, std::move(id)};
}

std::optional<RpcError> read_error_member(const json& value) {
  if (!value.is_object()) return RpcError{kInternalError, "error member is not an object", std::nullopt};
  RpcError error;
  if (auto code = value.find("code"); code != value.end() && code->is_number_integer()) error.code = code->get<int>();
  if (auto message = value.find("message"); message != value.end() && message->is_string())
    error.message = message->get<std::string>();
  if (auto data = value.find("data"); data != value.end()) error.data = *data;
  return error;
}

ReadResult read_response(const json& value, json id) {
  Message message;
  message.kind = Kind::response;
  message.id = std::move(id);
  if (auto error = value.find("error"); error != value.end()) {
    message.error = read_error_member(*error);
  } else if (auto result = value.find("result"); result != value.end()) {
    message.result = *result;
  } else {
    return invalid("response has neither result nor error", message.id);
  }
  return message;
}

}  // namespace

ReadResult read_message(const json& value) {
  if (!value.is_object()) return invalid("a JSON-RPC message is an object");
  json id = nullptr;
  auto id_member = value.find("id");
  if (id_member != value.end() && usable_id(*id_member)) id = *id_member;
  auto version = value.find("jsonrpc");
  if (version == value.end() || !version->is_string() || version->get<std::string>() != "2.0")
    return invalid("jsonrpc must be \"2.0\"", id);
  auto method = value.find("method");
  if (method == value.end()) {
    if (id_member == value.end() || !(usable_id(*id_member) || id_member->is_null()))
      return invalid("response without a usable id", id);
    return read_response(value, id);
  }
  if (!method->is_string()) return invalid("method must be a string", id);
  if (id_member != value.end() && !usable_id(*id_member)) return invalid("id must be a string or an integer");
  Message message;
  message.kind = id_member == value.end() ? Kind::notification : Kind::request;
  message.id = id;
  message.method = method->get<std::string>();
  message.params = json::object();
  if (auto params = value.find("params"); params != value.end()) {
    if (!params->is_object() && !params->is_array()) return invalid("params must be an object or an array", id);
    message.params = *params;
  }
  return message;
}

ReadResult read_message(std::string_view text) {
  auto parsed = parse_json_bounded(text);
  if (!parsed) return ReadFailure{RpcError{kParseError, parsed.error().message, std::nullopt}, nullptr};
  return read_message(*parsed);
}

json request(const json& id, std::string_view method, json params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json notification(std::string_view method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

json result_response(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json error_response(const json& id, const RpcError& error) {
  json body{{"code", error.code}, {"message", error.message}};
  if (error.data) body["data"] = *error.data;
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(body)}};
}

RpcError rpc_error_from(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_params: return RpcError{kInvalidParams, error.message, std::nullopt};
    case ErrorCode::not_found: return RpcError{kMethodNotFound, error.message, std::nullopt};
    default: return RpcError{kInternalError, error.message, std::nullopt};
  }
}

}  // namespace rt::jsonrpc
