#pragma once
// JSON string literals read by hand, judged exactly as nlohmann's lexer judges them: for the
// readers that pass over or decode long strings a run at a time (contract/task_view, json_scan).
#include <string>
#include <string_view>

namespace rt {

// The index of the closing quote of the string literal whose contents start at `at`, when those
// contents are what nlohmann's lexer accepts (escapes, surrogate pairs, UTF-8 as RFC 3629, no
// control characters); npos otherwise. Never more lenient than the lexer: npos only means
// "let the lexer judge".
size_t end_of_valid_string(std::string_view text, size_t at);

// The value of a string literal's contents that end_of_valid_string accepted, as the lexer
// would build it, but a run without escapes at a time instead of a char at a time.
std::string decode_valid_string(std::string_view contents);

}  // namespace rt
