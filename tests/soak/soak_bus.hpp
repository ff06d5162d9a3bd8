#pragma once
// The soak's own NATS client: publishes tasks as a lead would and reads the answers back from
// ROUNDTABLE_RESULTS (the record that counts, whatever was missed live during an outage).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "roundtable/common/time.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::soak {

struct PublishedTask {
  std::string id;
  SystemTime at;
};

struct StoredResult {
  std::string type;                // task.result or task.failed
  std::optional<SystemTime> at;    // when the stream stored it
};

class SoakBus {
 public:
  // nats_urls: comma list. Applies the contract streams with `replicas`.
  SoakBus(const std::string& nats_urls, int replicas);
  ~SoakBus();
  // Publishes task number `seq`, retrying (same id, so JetStream de-duplicates) through an
  // outage until `deadline`; false when it was never stored.
  bool publish_task(int seq, std::chrono::steady_clock::time_point deadline);
  std::vector<PublishedTask> published();
  // Messages held by a stream; nullopt while NATS does not answer.
  std::optional<uint64_t> stream_messages(const char* stream);
  // Every stored result, by task id (correlationId), read with a throwaway pull consumer.
  std::optional<std::map<std::string, std::vector<StoredResult>>> read_results();
  // Events of one type stored in ROUNDTABLE_EVENTS for the fleet.
  std::optional<uint64_t> count_events(std::string_view type);
  nats::Connection& connection() { return *connection_; }
  nats::JetStream& js() { return *js_; }

 private:
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::JetStream> js_;
  std::mutex mutex_;
  std::vector<PublishedTask> published_;
  int readbacks_ = 0;
};

}  // namespace rt::soak
