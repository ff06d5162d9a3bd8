#include "roundtable/contract/task_view.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/common/json_text.hpp"
#include "roundtable/common/json_scan.hpp"
#include "roundtable/common/json_string_scan.hpp"

namespace rt::contract {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kPayloadFieldsRead{"task", "responseFormat", "maxTokens", "conversation"};
constexpr std::array<std::string_view, 5> kPayloadFieldsKept{"task", "responseFormat", "maxTokens", "conversation", "params"};  // with keep_params

constexpr size_t kMinSkippedString = 32;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_params, std::move(message)); }

// Builds the same tree as nlohmann's DOM parser (last duplicate key wins), except inside the
// top-level "payload" object, where members no bridge reads are never built.
class LeanEnvelopeBuilder final : public nlohmann::json_sax<json> {
 public:
  explicit LeanEnvelopeBuilder(bool keep_params) : keep_params_(keep_params) {}

  json root;

  bool null() override { return scalar(nullptr); }
  bool boolean(bool value) override { return scalar(value); }
  bool number_integer(number_integer_t value) override { return scalar(value); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(value); }
  bool number_float(number_float_t value, const string_t&) override { return scalar(value); }
  bool string(string_t& value) override { return pending_ ? scalar(take_pending()) : scalar(value); }
  bool binary(binary_t& value) override { return scalar(json::binary(value)); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    std::string value = pending_ ? take_pending() : name;
    if (skipped_depth_ == 0) key_ = std::move(value);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

  // Inside a subtree that is not kept: its strings need only be valid.
  bool dropping() const { return skipped_depth_ > 0; }
  // The value of the string token the lexer reads next (as "", its contents passed over).
  void hand_over(std::string value) { pending_ = std::move(value); }

 private:
  enum class Slot { build, type_only, skip };

  // What happens to the value that starts now.
  Slot slot() const {
    if (skipped_depth_ > 0) return Slot::skip;
    if (payload_ == nullptr || stack_.size() != 2 || stack_.back() != payload_) return Slot::build;
    if (std::find(kPayloadFieldsRead.begin(), kPayloadFieldsRead.end(), key_) != kPayloadFieldsRead.end()) return Slot::build;
    if (key_ == "params") return keep_params_ ? Slot::build : Slot::type_only;
    return Slot::skip;
  }

  json* place(json value) {
    if (stack_.empty()) {
      root = std::move(value);
      return &root;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& member = parent[key_];
    member = std::move(value);
    return &member;
  }

  bool scalar(json value) {
    if (slot() != Slot::skip) place(std::move(value));
    return true;
  }

  bool open(json container) {
    switch (slot()) {
      case Slot::skip:
        ++skipped_depth_;
        break;
      case Slot::type_only:
        place(std::move(container));
        ++skipped_depth_;
        break;
      case Slot::build: {
        bool payload_slot = stack_.size() == 1 && stack_.back()->is_object() && key_ == "payload";
        bool is_object = container.is_object();
        json* placed = place(std::move(container));
        if (payload_slot) payload_ = is_object ? placed : nullptr;  // the last "payload" is the one that counts
        stack_.push_back(placed);
        break;
      }
    }
    return true;
  }

  bool close() {
    if (skipped_depth_ > 0) --skipped_depth_;
    else stack_.pop_back();
    return true;
  }

  std::string take_pending() {
    std::string value = std::move(*pending_);
    pending_.reset();
    return value;
  }

  bool keep_params_;
  std::optional<std::string> pending_;
  std::vector<json*> stack_;
  std::string key_;
  json* payload_ = nullptr;
  size_t skipped_depth_ = 0;
};

// The message as nlohmann's lexer reads it, except that a long string literal, once known to be
// valid, reads as "": inside a dropped subtree it is passed over; elsewhere its value is decoded
// here, a run at a time, and handed to the builder for the "" token (the lexer would copy it
// into its token buffer char by char, then the builder would copy it again). The builder has
// seen every token before the lexer starts the next one, so dropping() is current when a string
// opens, and the value handed over is the very next string token's.
class SkippingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  SkippingIterator(std::string_view text, size_t at, LeanEnvelopeBuilder* builder) : text_(text), at_(at), builder_(builder) {}

  reference operator*() const { return text_[at_]; }
  SkippingIterator& operator++() {
    advance();
    return *this;
  }
  bool operator==(const SkippingIterator& other) const { return at_ == other.at_; }
  bool operator!=(const SkippingIterator& other) const { return at_ != other.at_; }

 private:
  void advance() {
    const char c = text_[at_++];
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      return;
    }
    if (c != '"') return;
    in_string_ = true;
    // Most strings are short: a quote within the first bytes (closing, or escaped) leaves them to the lexer.
    if (text_.size() - at_ < kMinSkippedString || std::memchr(text_.data() + at_, '"', kMinSkippedString)) return;
    size_t end = end_of_valid_string(text_, at_);
    if (end == std::string_view::npos || end - at_ < kMinSkippedString) return;
    if (!builder_->dropping()) builder_->hand_over(decode_valid_string(text_.substr(at_, end - at_)));
    at_ = end;  // the closing quote comes next
  }

  std::string_view text_;
  size_t at_;
  LeanEnvelopeBuilder* builder_;
  bool in_string_ = false;
  bool escaped_ = false;
};

}  // namespace

Result<Envelope> parse_task_envelope(std::string_view bytes, TaskEnvelopeOptions options) {
  // The same checks, in the same order, with the same messages as parse_envelope.
  if (bytes.size() > options.max_bytes)
    return invalid("message is " + std::to_string(bytes.size()) + " bytes, over the limit of " + std::to_string(options.max_bytes));
  // Ordinary JSON within the bounds is read by hand; the rest is judged by nlohmann.
  const ScanTrim payload = options.keep_params ? ScanTrim{"payload", kPayloadFieldsKept, ""} : ScanTrim{"payload", kPayloadFieldsRead, "params"};
  if (auto lean = scan_ordinary_json(bytes, kMaxJsonDepth, &payload)) return envelope_from_json(std::move(*lean));
  if (auto bounds = check_json_bounds(bytes, {.max_depth = kMaxJsonDepth, .max_bytes = options.max_bytes}); !bounds)
    return invalid("message is not valid JSON: " + bounds.error().message);
  LeanEnvelopeBuilder builder(options.keep_params);
  if (!json::sax_parse(SkippingIterator(bytes, 0, &builder), SkippingIterator(bytes, bytes.size(), &builder), &builder))
    return invalid("message is not valid JSON: not valid JSON");
  return envelope_from_json(std::move(builder.root));
}

}  // namespace rt::contract
