#pragma once
// A JSON POST whose answer is read into memory only up to a cap: an endless or oversized answer
// from a peer costs at most `max_bytes`, and the caller learns it was cut off.
#include <string>

#include <httplib.h>

namespace rt::http {

struct CappedAnswer {
  httplib::Result result;
  std::string body;          // the whole answer, when it fitted
  bool too_large = false;    // the answer ran past the cap; body is empty
};

// Sends `request` (its body already set, by value or by a content provider) and reads the answer
// up to `max_bytes`.
CappedAnswer send_capped(httplib::Client& client, httplib::Request& request, size_t max_bytes);

CappedAnswer post_json_capped(httplib::Client& client, const std::string& path, const httplib::Headers& headers,
                              std::string body, size_t max_bytes);

}  // namespace rt::http
