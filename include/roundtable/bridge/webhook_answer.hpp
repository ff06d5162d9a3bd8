#pragma once
// A webhook call's request headers and what its answer becomes (docs/contract.md §5), whichever
// HTTP client carried it: the one-send client for http:// gateways, httplib for https://.
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/bridge/gateway_answer.hpp"
#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {

// The headers of POST /webhook, Content-Length aside (each_call_header).
template <typename Visit>
void each_webhook_header(const GatewayRequest& request, const std::string& token, Visit&& visit) {
  each_call_header(request, token, {{"Content-Type", "application/json"}, {"Accept", "application/x-ndjson, application/json"}}, visit);
}

// Reads the answer as it arrives: the status and Content-Type first, then the body, an NDJSON
// stream of progress lines or one JSON object, each within its limits.
class WebhookAnswer {
 public:
  WebhookAnswer(const GatewayRequest& request, const ProgressSink& progress) : request_(request), reader_(progress) {}

  // The head has arrived. An NDJSON answer takes its time: the bridge is told it is waiting.
  void on_head(int status, std::string_view content_type);
  // False once the answer broke a limit: stop reading (outcome() then says which).
  bool on_body(const char* data, size_t size);
  // The whole answer has been read.
  GatewayOutcome outcome(std::string_view retry_after);
  // The answer broke a limit before it ended.
  std::optional<GatewayOutcome> refused() const;

 private:
  const GatewayRequest& request_;
  int status_ = 0;
  bool ndjson_ = false;
  std::string body_;
  NdjsonReader reader_;
  std::optional<std::string> too_large_;
};

}  // namespace rt::bridge
