#include "roundtable/contract/errors.hpp"

#include <array>
#include <utility>

namespace rt::contract {
namespace {
constexpr std::array<std::pair<ErrorCode, std::string_view>, 8> kWireNames{{
    {ErrorCode::rate_limited, "rate_limited"},
    {ErrorCode::timeout, "timeout"},
    {ErrorCode::model_error, "model_error"},
    {ErrorCode::gateway_unavailable, "gateway_unavailable"},
    {ErrorCode::skill_missing, "skill_missing"},
    {ErrorCode::invalid_params, "invalid_params"},
    {ErrorCode::internal_error, "internal_error"},
    {ErrorCode::cancelled, "cancelled"},
}};
}  // namespace

ErrorCode to_wire_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_found:
    case ErrorCode::config_error: return ErrorCode::invalid_params;
    case ErrorCode::unavailable: return ErrorCode::gateway_unavailable;
    case ErrorCode::io_error: return ErrorCode::internal_error;
    default: return code;
  }
}

std::string_view error_code_name(ErrorCode code) {
  ErrorCode wire = to_wire_code(code);
  for (const auto& [value, name] : kWireNames)
    if (value == wire) return name;
  return "internal_error";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) {
  for (const auto& [value, wire_name] : kWireNames)
    if (wire_name == name) return value;
  return std::nullopt;
}

bool default_retryable(ErrorCode code) {
  switch (to_wire_code(code)) {
    case ErrorCode::skill_missing:
    case ErrorCode::invalid_params:
    case ErrorCode::cancelled: return false;
    default: return true;
  }
}

}  // namespace rt::contract
