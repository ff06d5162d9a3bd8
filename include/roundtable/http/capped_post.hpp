#pragma once
// A JSON POST whose answer is read into memory only up to a cap: an endless or oversized answer
// from a peer costs at most `max_bytes`, and the caller learns it was cut off.
#include <chrono>
#include <optional>
#include <string>

#include <httplib.h>

namespace rt::http {

struct CappedAnswer {
  httplib::Result result;
  std::string body;            // the whole answer, when it fitted
  bool too_large = false;      // the answer ran past the cap; body is empty
  bool past_deadline = false;  // its body was still arriving at the deadline; body is empty
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Sends `request` (its body already set, by value or by a content provider) and reads the answer
// up to `max_bytes`, and, with a deadline, only until then: httplib's timeouts bound each read,
// so a body that keeps trickling in would otherwise run past any time the caller promised.
CappedAnswer send_capped(httplib::Client& client, httplib::Request& request, size_t max_bytes, Deadline deadline = std::nullopt);

CappedAnswer post_json_capped(httplib::Client& client, const std::string& path, const httplib::Headers& headers,
                              std::string body, size_t max_bytes, Deadline deadline = std::nullopt);

}  // namespace rt::http
