#include "roundtable/contract/identifiers.hpp"

namespace rt::contract {
namespace {
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

bool is_identifier(std::string_view text) {
  if (text.empty() || text.size() > kMaxIdentifierLength || !is_lower_alnum(text[0])) return false;
  for (char c : text)
    if (!is_lower_alnum(c) && c != '-') return false;
  return true;
}

}  // namespace rt::contract
