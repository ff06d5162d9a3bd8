#pragma once
#include <string_view>

namespace rt::contract {

// docs/contract.md: fleet, domain, action and agent ids are [a-z0-9][a-z0-9-]*, at most 64 characters.
inline constexpr size_t kMaxIdentifierLength = 64;
bool is_identifier(std::string_view text);

}  // namespace rt::contract
