#include "roundtable/mcp/sse_reader.hpp"

namespace rt::mcp {

std::vector<SseEvent> SseReader::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (char c : bytes) {
    if (failed_) return {};
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // CRLF: the line ended at the CR
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      line(partial_, out);
      partial_.clear();
      continue;
    }
    partial_.push_back(c);
    if (partial_.size() > max_event_bytes_) failed_ = true;
  }
  return failed_ ? std::vector<SseEvent>{} : out;
}

void SseReader::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    if (has_data_) out.push_back(std::move(current_));
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;
  auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
    if (current_.data.size() > max_event_bytes_) failed_ = true;
  } else if (field == "event") {
    current_.event = value.empty() ? "message" : std::string(value);
  } else if (field == "id") {
    current_.id = std::string(value);
  }
}

}  // namespace rt::mcp
