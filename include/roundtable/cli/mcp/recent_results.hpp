#pragma once
// The answers of the server's latest tool calls, as MCP resources roundtable://results/<task-id>:
// a ring bounded in count and bytes (oldest dropped first), shared by every session.
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/nats/task_client.hpp"

namespace rt::cli::mcp {

inline constexpr std::string_view kResultsUriPrefix = "roundtable://results/";
inline constexpr std::string_view kResultsUriTemplate = "roundtable://results/{taskId}";
inline constexpr std::string_view kKnightsUri = "roundtable://knights";

std::string result_uri(const std::string& task_id);
// The task id of a roundtable://results/<task-id> URI; empty when it is not one.
std::string task_id_of_uri(std::string_view uri);

class RecentResults {
 public:
  explicit RecentResults(size_t capacity, size_t max_bytes = 32 * 1024 * 1024) : capacity_(capacity), max_bytes_(max_bytes) {}
  // Keeps the answer, also an unanswered one: a late result can still be read from the stream.
  void add(const nats::TaskAnswer& answer);
  // Replaces a kept answer (a late result found in the stream); false when it is gone.
  bool update(const nats::TaskAnswer& answer);
  std::optional<nats::TaskAnswer> find(const std::string& task_id) const;
  // resources/list entries, newest first.
  nlohmann::json list() const;

 private:
  void trim();
  size_t capacity_, max_bytes_;
  size_t bytes_ = 0;
  mutable std::mutex mutex_;
  std::deque<std::pair<nats::TaskAnswer, size_t>> answers_;  // newest first, with its size
};

}  // namespace rt::cli::mcp
