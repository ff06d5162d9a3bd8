#include <charconv>
#include <optional>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/nats/ack_inboxes.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::nats {
namespace {

constexpr size_t kMaxAckBytes = 64 * 1024;

void skip_space(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n'))
    text.remove_prefix(1);
}

// `token` after optional white space.
bool consume(std::string_view& text, std::string_view token) {
  skip_space(text);
  if (!text.starts_with(token)) return false;
  text.remove_prefix(token.size());
  return true;
}

// `quoted_key` is one token: no space inside its quotes, as the full parse would read it.
bool member(std::string_view& text, std::string_view quoted_key) { return consume(text, quoted_key) && consume(text, ":"); }

// The ack as nats-server writes it, {"stream":"S", "seq":N} with "duplicate": true or false
// after it, spaces or none between the tokens. Anything else (a domain, escapes, an error) is
// nullopt and goes to the full parse: this only saves building a tree per result.
std::optional<PublishAck> plain_ack(std::string_view text) {
  if (!consume(text, "{") || !member(text, R"("stream")") || !consume(text, "\"")) return std::nullopt;
  size_t name_end = 0;
  while (name_end < text.size()) {
    const auto c = static_cast<unsigned char>(text[name_end]);
    if (c == '"') break;
    if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
    ++name_end;
  }
  if (name_end == 0 || name_end == text.size()) return std::nullopt;
  PublishAck ack;
  ack.stream = std::string(text.substr(0, name_end));
  text.remove_prefix(name_end + 1);
  if (!consume(text, ",") || !member(text, R"("seq")")) return std::nullopt;
  skip_space(text);
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ack.sequence);
  if (error != std::errc() || end == text.data() || (text[0] == '0' && end - text.data() > 1)) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  std::string_view rest = text;
  if (consume(rest, ",")) {
    if (!member(rest, R"("duplicate")")) return std::nullopt;
    if (consume(rest, "true")) ack.duplicate = true;
    else if (!consume(rest, "false")) return std::nullopt;
    text = rest;
  }
  if (!consume(text, "}")) return std::nullopt;
  skip_space(text);
  if (!text.empty()) return std::nullopt;
  return ack;
}

}  // namespace

Result<PublishAck> parse_publish_ack(std::string_view body, const std::string& subject) {
  if (auto plain = plain_ack(body)) return std::move(*plain);
  auto json = parse_json_bounded(body, {.max_depth = 8, .max_bytes = kMaxAckBytes});
  if (!json || !json->is_object()) return make_error(ErrorCode::internal_error, "publish to " + subject + ": unreadable ack");
  if (auto error = json->find("error"); error != json->end() && error->is_object()) {
    std::string description = error->value("description", std::string("error"));
    int code = error->value("err_code", 0);
    return make_error(ErrorCode::internal_error, "publish to " + subject + ": " + description + " [jetstream error " + std::to_string(code) + "]");
  }
  PublishAck ack;
  ack.stream = json->value("stream", std::string());
  if (auto seq = json->find("seq"); seq != json->end() && seq->is_number_unsigned()) ack.sequence = seq->get<uint64_t>();
  if (auto duplicate = json->find("duplicate"); duplicate != json->end() && duplicate->is_boolean()) ack.duplicate = duplicate->get<bool>();
  if (ack.stream.empty()) return make_error(ErrorCode::internal_error, "publish to " + subject + ": ack names no stream");
  return ack;
}

}  // namespace rt::nats
