#pragma once
// One JSON POST to an LLM API with the failure classified for the retry logic.
#include <string>

#include "roundtable/http/client_pool.hpp"
#include "roundtable/llm/types.hpp"

namespace rt::llm {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;
};

// The per-call timeout, shortened to what is left before the request's deadline.
std::chrono::milliseconds call_timeout(std::chrono::milliseconds configured, const Request& request);

// Transport failures (refused, reset, timed out) come back as a retryable model_error Failure.
Result<HttpAnswer> post_json(http::HttpClientPool& pool, const std::string& path, const httplib::Headers& headers,
                             const std::string& body, std::chrono::milliseconds timeout, Failure& transport_failure);

}  // namespace rt::llm
