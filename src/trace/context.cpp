#include "roundtable/trace/context.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace rt::trace {

namespace {

bool lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

// Trace and span ids must be unique, not secret (W3C trace context): a generator per thread,
// seeded from the kernel, makes one in a few dozen instructions where RAND_bytes took ~45,000
// and a getpid() each, and leaves OpenSSL uninitialised in a process that never uses TLS.
std::string random_hex(size_t bytes) {
  thread_local std::mt19937_64 generator{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes * 2, '0');
  do {
    for (size_t i = 0; i < bytes; i += 8) {
      uint64_t word = generator();
      for (size_t j = i; j < bytes && j < i + 8; ++j, word >>= 8) {
        out[2 * j] = kDigits[(word >> 4) & 0xF];
        out[2 * j + 1] = kDigits[word & 0xF];
      }
    }
  } while (all_zero(out));
  return out;
}

// key = simple-key / multi-tenant-key (tenant@system), per the tracestate grammar.
bool valid_key_part(std::string_view part, size_t max, bool may_start_with_digit) {
  if (part.empty() || part.size() > max) return false;
  char first = part.front();
  if (!((first >= 'a' && first <= 'z') || (may_start_with_digit && first >= '0' && first <= '9'))) return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
  });
}

bool valid_key(std::string_view key) {
  auto at = key.find('@');
  if (at == std::string_view::npos) return valid_key_part(key, 256, false);
  return valid_key_part(key.substr(0, at), 241, true) && valid_key_part(key.substr(at + 1), 14, false);
}

bool valid_value(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E && c != ',' && c != '='; });
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string TraceContext::traceparent() const { return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00"); }

std::optional<TraceContext> parse_traceparent(std::string_view h) {
  if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2), trace_id = h.substr(3, 32), span_id = h.substr(36, 16), flags = h.substr(53, 2);
  if (version != "00" || !lower_hex(trace_id) || !lower_hex(span_id) || !lower_hex(flags)) return std::nullopt;
  if (all_zero(trace_id) || all_zero(span_id)) return std::nullopt;
  int flag_bits = std::stoi(std::string(flags), nullptr, 16);
  return TraceContext{std::string(trace_id), std::string(span_id), (flag_bits & 1) != 0, {}};
}

std::optional<std::string> valid_tracestate(std::string_view header) {
  if (header.size() > kMaxTraceStateChars) return std::nullopt;
  size_t members = 0;
  std::string_view rest = header;
  while (true) {
    auto comma = rest.find(',');
    std::string_view member = trim_ows(rest.substr(0, comma));
    if (!member.empty()) {
      auto eq = member.find('=');
      if (eq == std::string_view::npos || !valid_key(member.substr(0, eq)) || !valid_value(member.substr(eq + 1))) return std::nullopt;
      if (++members > kMaxTraceStateMembers) return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (members == 0) return std::nullopt;
  return std::string(header);
}

std::string random_trace_id() { return random_hex(16); }
std::string random_span_id() { return random_hex(8); }

std::optional<TraceContext> incoming_context(const std::optional<std::string>& traceparent,
                                             const std::optional<std::string>& tracestate) {
  std::optional<TraceContext> parsed = traceparent ? parse_traceparent(*traceparent) : std::nullopt;
  if (!parsed) return std::nullopt;
  if (tracestate) parsed->trace_state = valid_tracestate(*tracestate).value_or("");
  return *parsed;
}

}  // namespace rt::trace
