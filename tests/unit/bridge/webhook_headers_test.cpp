// The headers of POST /webhook (docs/contract.md §5), as both of the bridge's HTTP clients send them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "roundtable/bridge/webhook_answer.hpp"

namespace rt::bridge {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers headers_of(const GatewayRequest& request, const std::string& token) {
  Headers headers;
  each_webhook_header(request, token, [&](std::string_view name, std::string_view value) { headers.emplace_back(name, value); });
  return headers;
}

TEST(WebhookHeaders, AreTheContractsInItsOrder) {
  contract::Envelope envelope;
  contract::TaskRequest task;
  GatewayRequest request{envelope, task, "{}", 3, SystemTime{} + std::chrono::seconds(86400)};
  request.trace_headers = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  Headers expected{{"Content-Type", "application/json"},
                   {"Accept", "application/x-ndjson, application/json"},
                   {"X-Roundtable-Attempt", "3"},
                   {"X-Roundtable-Deadline", "1970-01-02T00:00:00Z"},
                   {"Authorization", "Bearer gw-token"},
                   {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  EXPECT_EQ(headers_of(request, "gw-token"), expected);
  expected.erase(expected.begin() + 4);
  EXPECT_EQ(headers_of(request, ""), expected) << "no token, no Authorization";
}

TEST(WebhookHeaders, AValueThatCouldEndTheHeadIsLeftOut) {
  contract::Envelope envelope;
  contract::TaskRequest task;
  GatewayRequest request{envelope, task, "{}", 1, SystemTime{}};
  request.trace_headers = {{"tracestate", "a=1\r\nX-Injected: yes"}, {"traceparent", std::string("00-\n", 4)},
                           {"tracestate", std::string("a=\0b", 4)}};
  for (const auto& [name, value] : headers_of(request, "tok\r\nX-Injected: yes")) {
    EXPECT_EQ(value.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << name;
    EXPECT_NE(name, "Authorization");
    EXPECT_NE(name, "tracestate");
    EXPECT_NE(name, "traceparent");
  }
}

}  // namespace
}  // namespace rt::bridge
