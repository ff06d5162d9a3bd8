#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/common/result.hpp"

namespace rt::contract {

// The wire name of a contract error code (docs/contract.md §4 table), e.g. "rate_limited".
std::string_view error_code_name(ErrorCode code);
std::optional<ErrorCode> parse_error_code(std::string_view name);
// Whether a failure with this code is worth retrying by default (internal_error: yes, "maybe").
bool default_retryable(ErrorCode code);
// Local codes collapse to the nearest contract code before they go on the wire.
ErrorCode to_wire_code(ErrorCode code);

}  // namespace rt::contract
