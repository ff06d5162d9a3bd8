#include "http_call.hpp"

#include <algorithm>
#include <optional>

#include "roundtable/common/strings.hpp"
#include "roundtable/http/client_pool.hpp"
#include "roundtable/http/capped_post.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::llm {

namespace {
std::optional<std::chrono::milliseconds> retry_after_of(const httplib::Response& res) {
  // Anthropic and OpenAI send seconds; some gateways send retry-after-ms.
  if (res.has_header("retry-after-ms")) {
    auto text = trim(res.get_header_value("retry-after-ms"));
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 10)
      return std::chrono::milliseconds(std::stoll(text));
  }
  auto text = trim(res.get_header_value("retry-after"));
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos && text.size() < 10 &&
      std::count(text.begin(), text.end(), '.') <= 1 && text != ".")
    return std::chrono::milliseconds(static_cast<long long>(std::stod(text) * 1000));
  return std::nullopt;
}
}  // namespace

std::chrono::milliseconds call_timeout(std::chrono::milliseconds configured, const Request& request) {
  if (!request.deadline) return configured;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*request.deadline - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), configured);
}

Result<HttpAnswer> post_json(http::HttpClientPool& pool, const std::string& path, const httplib::Headers& headers,
                             const std::string& body, std::chrono::milliseconds timeout, Failure& transport_failure) {
  auto lease = pool.borrow();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  lease->set_read_timeout(static_cast<time_t>(seconds.count()), static_cast<time_t>(micros.count()));
  lease->set_write_timeout(static_cast<time_t>(seconds.count()), static_cast<time_t>(micros.count()));
  // The whole call, not only each read, ends at the timeout: an answer that trickles in is cut.
  const auto started = std::chrono::steady_clock::now();
  auto capped = http::post_json_capped(*lease, path, headers, body, kMaxAnswerBytes, started + timeout);
  auto& res = capped.result;
  if (capped.past_deadline) {
    transport_failure = Failure{ErrorCode::model_error, "LLM API did not finish its answer within " + std::to_string(timeout.count()) + "ms",
                                0, true, std::nullopt};
    return make_error(transport_failure.code, transport_failure.message);
  }
  if (capped.too_large) {
    transport_failure = Failure{ErrorCode::model_error, "LLM API answer is larger than " + std::to_string(kMaxAnswerBytes) + " bytes",
                                0, true, std::nullopt};
    return make_error(transport_failure.code, transport_failure.message);
  }
  if (!res) {
    // A slow or unreachable API is the LLM failing (model_error), not the task's own timeout.
    // A read that failed before the timeout had run out lost its connection.
    const bool timed_out = http::is_timeout(res.error(), std::chrono::steady_clock::now() - started, timeout);
    std::string what = timed_out                                ? "LLM API did not answer within " + std::to_string(timeout.count()) + "ms"
                       : res.error() == httplib::Error::Read ? "LLM API closed the connection before its answer was complete"
                                                              : "LLM API unreachable: " + httplib::to_string(res.error());
    transport_failure = Failure{ErrorCode::model_error, what, 0, true, std::nullopt};
    return make_error(transport_failure.code, transport_failure.message);
  }
  return HttpAnswer{res->status, std::move(capped.body), retry_after_of(*res)};
}

}  // namespace rt::llm
