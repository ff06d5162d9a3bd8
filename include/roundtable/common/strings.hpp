#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rt {

std::vector<std::string> split(std::string_view text, char separator);
std::string trim(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
std::string to_lower(std::string_view text);
// ASCII letters compared without regard to case, nothing copied (HTTP header and scheme names).
bool equals_ignoring_case(std::string_view a, std::string_view b);
std::string base64_encode(std::string_view bytes);
bool constant_time_equal(std::string_view a, std::string_view b);
// A URL fit for logs, events and error messages: userinfo (user, password or token before '@')
// becomes "***", e.g. nats://***@host:4222. Text without userinfo comes back unchanged.
std::string redact_url(std::string_view url);
// At most max_bytes of `text`, cut on a UTF-8 character boundary, with "..." when cut: for
// quoting untrusted values in error messages without letting them grow the message.
std::string excerpt(std::string_view text, size_t max_bytes = 128);
// Text for a terminal: C0 controls (tab and newline included), DEL, C1 controls and bytes that
// are not valid UTF-8 become visible escapes (\x1b, \u009b, \xff), so text from the bus can
// neither move the cursor nor start an escape sequence. Valid UTF-8 text is kept as it is.
std::string terminal_safe(std::string_view text);
std::vector<std::string> redact_urls(const std::vector<std::string>& urls);
// %XX escapes decoded (either case of hex digit); a '%' that does not start a valid escape is
// kept as it is.
std::string percent_decode(std::string_view text);

}  // namespace rt
