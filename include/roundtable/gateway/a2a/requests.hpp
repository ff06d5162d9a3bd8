#pragma once
// The params of A2A 1.0 JSON-RPC requests, read from untrusted JSON into typed requests. A
// wrong type or a missing field is an RpcError (-32602) naming the field, never an exception.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "roundtable/jsonrpc/message.hpp"

namespace rt::gateway::a2a {

// A2A error codes (JSON-RPC binding).
inline constexpr int kTaskNotFound = -32001;
inline constexpr int kTaskNotCancelable = -32002;
inline constexpr int kPushNotificationNotSupported = -32003;
inline constexpr int kUnsupportedOperation = -32004;
inline constexpr int kContentTypeNotSupported = -32005;
inline constexpr int kExtendedCardNotConfigured = -32007;
inline constexpr int kVersionNotSupported = -32009;

template <typename T>
using Checked = std::variant<T, jsonrpc::RpcError>;

struct SendRequest {
  std::string text;            // the parts as one text for the agent
  nlohmann::json message;      // the client's message, kept in the task's history
  std::string context_id;      // the client's, or a new one
  std::optional<std::string> task_id;  // the client named an existing task
  bool return_immediately = false;
  std::optional<size_t> history_length;
};

struct TaskQuery {
  std::string id;
  std::optional<size_t> history_length;
};

// SendMessage / SendStreamingMessage params: {message, configuration?, metadata?}.
Checked<SendRequest> read_send_request(const nlohmann::json& params);
// GetTask / CancelTask / SubscribeToTask params: {id, historyLength?}.
Checked<TaskQuery> read_task_query(const nlohmann::json& params);

jsonrpc::RpcError invalid_params(std::string message);

}  // namespace rt::gateway::a2a
