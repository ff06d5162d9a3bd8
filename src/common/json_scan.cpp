#include "roundtable/common/json_scan.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>

#include "roundtable/common/json_string_scan.hpp"

namespace rt {
namespace {

using nlohmann::json;

enum class Keep { build, type_only, skip };     // a value: built, only its type (containers), or only checked
enum class Role { root, trimmed, ordinary };   // whose members an object holds

class OrdinaryScanner {
 public:
  OrdinaryScanner(std::string_view text, size_t max_depth, const ScanTrim* trim) : text_(text), max_depth_(max_depth), trim_(trim) {}

  std::optional<json> scan() {
    json root;
    skip_space();
    if (!value(&root, Keep::build, 0, Role::root)) return std::nullopt;
    skip_space();
    if (at_ != text_.size()) return std::nullopt;
    return root;
  }

 private:
  // Every member "returns false" for input it leaves to nlohmann, never for a reason of its own.
  bool value(json* out, Keep keep, size_t depth, Role role) {
    if (at_ >= text_.size()) return false;
    switch (text_[at_]) {
      case '{': return object(out, keep, depth + 1, role);
      case '[': return array(out, keep, depth + 1);
      case '"': return string_value(out, keep);
      case 't': return literal("true", out, keep, json(true));
      case 'f': return literal("false", out, keep, json(false));
      case 'n': return literal("null", out, keep, json(nullptr));
      default: return number(out, keep);
    }
  }

  bool object(json* out, Keep keep, size_t depth, Role role) {
    if (depth > max_depth_) return false;
    ++at_;
    if (keep != Keep::skip) *out = json::object();
    skip_space();
    if (next_is('}')) return true;
    while (true) {
      skip_space();
      std::string key;
      if (at_ >= text_.size() || text_[at_] != '"' || !string(keep == Keep::build ? &key : nullptr)) return false;
      skip_space();
      if (!next_is(':')) return false;
      skip_space();
      const Keep member_keep = keep == Keep::build ? keep_of_member(role, key) : Keep::skip;
      const Role member_role = role == Role::root && trim_ && key == trim_->object_key ? Role::trimmed : Role::ordinary;
      if (member_keep == Keep::skip) {
        if (!value(nullptr, Keep::skip, depth, Role::ordinary)) return false;
      } else {
        json member;
        if (!value(&member, member_keep, depth, member_role)) return false;
        (*out)[key] = std::move(member);  // the last of duplicate keys counts, as in nlohmann's tree
      }
      skip_space();
      if (next_is(',')) continue;
      return next_is('}');
    }
  }

  bool array(json* out, Keep keep, size_t depth) {
    if (depth > max_depth_) return false;
    ++at_;
    if (keep != Keep::skip) *out = json::array();
    skip_space();
    if (next_is(']')) return true;
    while (true) {
      skip_space();
      if (keep == Keep::build) {
        json element;
        if (!value(&element, Keep::build, depth, Role::ordinary)) return false;
        out->push_back(std::move(element));
      } else if (!value(nullptr, Keep::skip, depth, Role::ordinary)) {
        return false;
      }
      skip_space();
      if (next_is(',')) continue;
      return next_is(']');
    }
  }

  Keep keep_of_member(Role role, const std::string& key) const {
    if (role != Role::trimmed) return Keep::build;
    if (std::find(trim_->kept.begin(), trim_->kept.end(), key) != trim_->kept.end()) return Keep::build;
    if (!trim_->type_only.empty() && key == trim_->type_only) return Keep::type_only;
    return Keep::skip;
  }

  bool string_value(json* out, Keep keep) {
    std::string text;
    if (!string(keep == Keep::skip ? nullptr : &text)) return false;
    if (keep != Keep::skip) *out = std::move(text);
    return true;
  }

  // A string literal at at_; its value decoded into `out` unless that is null.
  bool string(std::string* out) {
    const size_t end = end_of_valid_string(text_, at_ + 1);
    if (end == std::string_view::npos) return false;
    if (out) *out = decode_valid_string(text_.substr(at_ + 1, end - at_ - 1));
    at_ = end + 1;
    return true;
  }

  bool literal(std::string_view word, json* out, Keep keep, json value) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    if (keep != Keep::skip) *out = std::move(value);
    return true;
  }

  // -?(0|[1-9][0-9]*) and nothing of a fraction or an exponent after it.
  bool number(json* out, Keep keep) {
    const size_t start = at_;
    const bool negative = next_is('-');
    if (at_ >= text_.size() || !is_digit(text_[at_])) return false;
    if (text_[at_] == '0') ++at_;
    else while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    if (at_ < text_.size() && (is_digit(text_[at_]) || text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E')) return false;
    if (keep == Keep::skip) return true;
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    if (negative) {
      int64_t number = 0;
      if (auto [end, error] = std::from_chars(first, last, number); error != std::errc() || end != last) return false;
      *out = number;
    } else {
      uint64_t number = 0;
      if (auto [end, error] = std::from_chars(first, last, number); error != std::errc() || end != last) return false;
      *out = number;
    }
    return true;
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool next_is(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) ++at_;
  }

  std::string_view text_;
  size_t max_depth_;
  const ScanTrim* trim_;
  size_t at_ = 0;
};

}  // namespace

std::optional<json> scan_ordinary_json(std::string_view text, size_t max_depth, const ScanTrim* trim) {
  // The scan recurses once per level: deeper documents, if ever allowed, go to nlohmann's heap stack.
  constexpr size_t kMaxScannedDepth = 256;
  return OrdinaryScanner(text, std::min(max_depth, kMaxScannedDepth), trim).scan();
}

}  // namespace rt
