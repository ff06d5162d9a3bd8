#pragma once
#include <string>
#include <string_view>

namespace rt {

// Random (version 4) UUID from the kernel's CSPRNG (kernel_entropy.hpp), lower-case canonical form.
std::string make_uuid_v4();
// Canonical 8-4-4-4-12 hex, version nibble 4, variant 8|9|a|b.
bool is_uuid_v4(std::string_view text);

}  // namespace rt
