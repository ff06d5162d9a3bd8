#pragma once
// Reading a knight-gateway's answer (docs/contract.md §5): the final answer object, and an NDJSON
// stream of progress lines ending in a result. Anything a gateway sends is read within bounds and
// never throws; an answer it should never give becomes a failure for that one task.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/bridge/gateway_client.hpp"

namespace rt::bridge {

inline constexpr size_t kMaxAnswerBytes = 8u << 20;   // a plain JSON answer, and one NDJSON line
inline constexpr size_t kMaxStreamBytes = 32u << 20;  // a whole NDJSON answer

// internal_error, not retried: a 2xx answer means the gateway did the work and would most
// likely answer the same way again.
contract::TaskFailure malformed_answer(std::string message);

// {"status":"completed","result":{...}} or {"status":"failed",...}; anything else is malformed.
GatewayOutcome outcome_from_answer(nlohmann::json answer, int status);  // moves the result out of the answer

// Splits an NDJSON answer into lines as it arrives, holding at most one line (capped) at a time.
class NdjsonReader {
 public:
  explicit NdjsonReader(const ProgressSink& progress) : progress_(progress) {}

  // False once the answer broke a limit (see error()); the caller then stops reading.
  bool feed(const char* data, size_t size);
  void finish();
  const std::optional<nlohmann::json>& final_answer() const { return final_; }
  nlohmann::json take_final_answer() { return std::move(*final_); }  // once, after final_answer() said there is one
  const std::optional<std::string>& error() const { return error_; }

 private:
  bool fail(std::string message);
  void handle_line(std::string_view line);

  const ProgressSink& progress_;
  std::string buffer_;
  size_t scanned_ = 0;
  size_t total_ = 0;
  std::optional<nlohmann::json> final_;
  std::optional<std::string> error_;
};

}  // namespace rt::bridge
