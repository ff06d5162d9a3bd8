#pragma once
// JSON-RPC 2.0 messages, as MCP and A2A carry them: reading one untrusted message into a typed
// request, notification or response, and writing replies. Reading never throws; a message
// that is not JSON-RPC yields the error object to answer with (or, for a notification, none).
//
//   auto message = rt::jsonrpc::read_message(body);
//   if (!message) return reply(rt::jsonrpc::error_response(nullptr, message.error()));
//   if (message->kind == Kind::request) ... reply(rt::jsonrpc::result_response(message->id, result));
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/common/result.hpp"

namespace rt::jsonrpc {

// The codes of the JSON-RPC 2.0 specification, §5.1.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

struct RpcError {
  int code = kInternalError;
  std::string message;
  std::optional<nlohmann::json> data;
};

enum class Kind { request, notification, response };

struct Message {
  Kind kind = Kind::request;
  nlohmann::json id;          // string or integer; null for a notification
  std::string method;         // requests and notifications
  nlohmann::json params;      // object or array; an empty object when absent
  nlohmann::json result;      // responses: the result, when no error
  std::optional<RpcError> error;  // responses: the error member
};

// One parsed JSON value as a message. The error is the RpcError to answer with
// (kInvalidRequest), carrying the id when the message had a usable one.
struct ReadFailure {
  RpcError error;
  nlohmann::json id;  // null when unknown
};

class ReadResult {
 public:
  ReadResult(Message message) : message_(std::move(message)) {}  // NOLINT(google-explicit-constructor)
  ReadResult(ReadFailure failure) : failure_(std::move(failure)) {}  // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return message_.has_value(); }
  const Message& operator*() const { return *message_; }
  const Message* operator->() const { return &*message_; }
  const ReadFailure& failure() const { return *failure_; }

 private:
  std::optional<Message> message_;
  std::optional<ReadFailure> failure_;
};

// A value already parsed (bounded) from untrusted text.
ReadResult read_message(const nlohmann::json& value);
// Untrusted text: parsed with rt::parse_json_bounded; kParseError when it is not JSON.
ReadResult read_message(std::string_view text);

nlohmann::json request(const nlohmann::json& id, std::string_view method, nlohmann::json params);
nlohmann::json notification(std::string_view method, nlohmann::json params);
nlohmann::json result_response(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);

// A project error (Result<T>'s Error) as a JSON-RPC error: invalid_params -> kInvalidParams,
// not_found -> kMethodNotFound, everything else kInternalError; the message is kept.
RpcError rpc_error_from(const Error& error);

}  // namespace rt::jsonrpc
