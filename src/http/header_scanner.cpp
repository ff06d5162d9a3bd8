#include "roundtable/http/header_scanner.hpp"

namespace rt::http {

HeaderScanner::State HeaderScanner::feed(std::string_view bytes) {
  static constexpr char kEnd[] = "\r\n\r\n";
  for (char c : bytes) {
    if (state_ != State::incomplete) break;
    if (c == kEnd[matched_]) ++matched_;
    else matched_ = c == '\r' ? 1 : 0;
    ++seen_;
    if (matched_ == 4) state_ = State::complete;
    else if (seen_ >= max_bytes_) state_ = State::too_large;
  }
  return state_;
}

void HeaderScanner::reset() {
  seen_ = 0;
  matched_ = 0;
  state_ = State::incomplete;
}

}  // namespace rt::http
