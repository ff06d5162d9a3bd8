#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/nats/ack_inboxes.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/message.hpp"

typedef struct __jsCtx jsCtx;

namespace rt::nats {


// A message read back from a stream, with the time the stream stored it.
struct StoredMessage {
  std::string subject;
  std::string data;
  int64_t stored_unix_nanos = 0;
};

struct PublishAck {
  std::string stream;
  uint64_t sequence = 0;
  bool duplicate = false;
};

enum class ApplyOutcome { created, updated, unchanged, mismatch };
std::string_view apply_outcome_name(ApplyOutcome outcome);

struct StreamApplyReport {
  std::string stream;
  ApplyOutcome outcome = ApplyOutcome::unchanged;
  std::vector<std::string> differences;  // "max_age 1h -> 24h", or why it could not be updated
};

struct StreamState {
  std::vector<std::string> subjects;
  contract::Retention retention{};
  contract::Storage storage{};
  std::chrono::seconds max_age{0};
  int32_t max_msg_size = -1;
  std::chrono::seconds duplicate_window{0};
  bool discard_old = true;
  int64_t max_msgs_per_subject = -1;
  int replicas = 1;
  uint64_t messages = 0;
};

struct ConsumerSpec {
  std::string stream;
  std::string durable;
  std::string filter_subject;
  std::chrono::milliseconds ack_wait{30'000};
  int64_t max_deliver = 5;
  int64_t max_ack_pending = 1000;
};

struct ConsumerState {
  std::string name;
  std::string filter_subject;
  uint64_t pending = 0;
  uint64_t ack_pending = 0;
  uint64_t redelivered = 0;
  uint64_t waiting = 0;
  std::chrono::milliseconds ack_wait{0};
  int64_t max_deliver = 0;
};

// A bound pull subscription on a durable consumer.
class PullSubscription {
 public:
  PullSubscription() = default;
  ~PullSubscription();
  PullSubscription(const PullSubscription&) = delete;
  PullSubscription& operator=(const PullSubscription&) = delete;
  PullSubscription(PullSubscription&& other) noexcept;
  PullSubscription& operator=(PullSubscription&& other) noexcept;

  // Up to `batch` messages; waits at most `wait` for the first one. Empty on timeout.
  Result<std::vector<Message>> fetch(int batch, std::chrono::milliseconds wait);
  natsSubscription* get() const { return sub_; }

 private:
  friend class JetStream;
  natsSubscription* sub_ = nullptr;
};

// Owns a jsCtx on a Connection (which must outlive it).
class JetStream {
 public:
  static Result<std::unique_ptr<JetStream>> create(Connection& connection, std::chrono::milliseconds api_timeout = std::chrono::seconds(5));
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  // Publishes with `Nats-Msg-Id` and waits for the stream's ack.
  Result<PublishAck> publish(std::string_view subject, std::string_view data, std::string_view msg_id);
  // The same with more headers (traceparent, docs/contract.md §4).
  Result<PublishAck> publish(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers);

  // Publishes as publish() does; the ack is read later, from what this returns.
  Result<AckInboxes::Pending> send_acked(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers);

  // Publishes without waiting for the ack (for events): failures are logged by the context's
  // error handler. complete_async() waits for every outstanding ack.
  Status publish_async(std::string_view subject, std::string_view data, std::string_view msg_id);
  Status publish_async(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers);
  Status complete_async(std::chrono::milliseconds timeout);
  // Stored by the stream like any publish, but no ack is asked for: for notices whose loss costs
  // nothing but a line on a dashboard (a per-task event), where an ack costs the server and us.
  Status publish_unacked(std::string_view subject, std::string_view data, std::string_view msg_id, const Headers& headers);

  Result<StreamApplyReport> apply_stream(const contract::StreamSpec& spec);
  Result<StreamState> stream_state(std::string_view name);

  // Creates the durable consumer, or updates what NATS lets us update, or reports why not.
  Status ensure_consumer(const ConsumerSpec& spec);
  Result<PullSubscription> bind_pull(const ConsumerSpec& spec);
  Result<ConsumerState> consumer_state(std::string_view stream, std::string_view name);
  Result<std::vector<ConsumerState>> consumers(std::string_view stream);
  Status delete_consumer(std::string_view stream, std::string_view name);
  // The newest stored message on an exact subject; empty when there is none.
  Result<std::optional<Message>> last_message(std::string_view stream, std::string_view subject);
  // How many messages the stream holds on subjects matching `filter`.
  Result<uint64_t> count_messages(std::string_view stream, std::string_view filter);
  // The messages on `filter` stored since `start_unix_nanos`, oldest first, through an ordered
  // ephemeral consumer: until caught up with the stream, `max_messages`, or `idle_timeout` without one.
  Result<std::vector<StoredMessage>> read_since(std::string_view stream, std::string_view filter, int64_t start_unix_nanos,
                                                size_t max_messages, std::chrono::milliseconds idle_timeout = std::chrono::seconds(2));
  // The distinct subjects the stream holds that match `filter`.
  Result<std::vector<std::string>> subjects(std::string_view stream, std::string_view filter);

  Connection& connection() { return connection_; }

 private:
  JetStream(Connection& connection, jsCtx* js, std::chrono::milliseconds api_timeout)
      : connection_(connection), js_(js), acks_(connection, api_timeout) {}
  Connection& connection_;
  jsCtx* js_ = nullptr;
  AckInboxes acks_;
};

}  // namespace rt::nats
