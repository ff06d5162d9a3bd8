#include "http_call.hpp"

#include "roundtable/common/strings.hpp"

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
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos && text.size() < 10)
    return std::chrono::milliseconds(static_cast<long long>(std::stod(text) * 1000));
  return std::nullopt;
}
}  // namespace

Result<HttpAnswer> post_json(http::HttpClientPool& pool, const std::string& path, const httplib::Headers& headers,
                             const std::string& body, Failure& transport_failure) {
  auto lease = pool.borrow();
  auto res = lease->Post(path.c_str(), headers, body, "application/json");
  if (!res) {
    transport_failure = Failure{res.error() == httplib::Error::Read ? ErrorCode::timeout : ErrorCode::model_error,
                                "LLM API unreachable: " + httplib::to_string(res.error()), 0, true, std::nullopt};
    return make_error(transport_failure.code, transport_failure.message);
  }
  return HttpAnswer{res->status, res->body, retry_after_of(*res)};
}

}  // namespace rt::llm
