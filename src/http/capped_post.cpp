#include "roundtable/http/capped_post.hpp"

namespace rt::http {

CappedAnswer send_capped(httplib::Client& client, httplib::Request& request, size_t max_bytes, Deadline deadline) {
  std::string answer;
  bool too_large = false, past_deadline = false;
  request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    too_large = answer.size() + size > max_bytes;
    past_deadline = deadline && std::chrono::steady_clock::now() > *deadline;
    if (too_large || past_deadline) answer.clear();
    else answer.append(data, size);
    return !too_large && !past_deadline;
  };
  auto result = client.send(request);
  return CappedAnswer{std::move(result), std::move(answer), too_large, past_deadline};
}

CappedAnswer post_json_capped(httplib::Client& client, const std::string& path, const httplib::Headers& headers,
                              std::string body, size_t max_bytes, Deadline deadline) {
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.body = std::move(body);
  req.set_header("Content-Type", "application/json");
  return send_capped(client, req, max_bytes, deadline);
}

}  // namespace rt::http
