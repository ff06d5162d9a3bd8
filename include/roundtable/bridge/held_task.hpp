#pragma once
// A task message the bridge holds: queued for a slot or in flight. Every acknowledgement
// goes through here so the in-progress keeper and the worker never race on the message.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/nats/message.hpp"
#include "roundtable/trace/context.hpp"

namespace rt::bridge {

class HeldTask {
 public:
  explicit HeldTask(nats::Message message);

  const nats::Message& message() const { return message_; }
  const Result<contract::Envelope>& envelope() const { return envelope_; }
  contract::Priority priority() const { return envelope_ ? envelope_->priority : contract::Priority::normal; }
  int attempt() const { return attempt_; }
  // The sender's trace from the message's traceparent/tracestate headers; nullopt when absent or
  // invalid (the bridge then starts a new trace; a bad header never fails the task).
  std::optional<trace::TraceContext> incoming_trace() const;

  // Each settles the message once; later calls are no-ops that return false.
  bool ack();
  bool nak(std::chrono::milliseconds delay);
  bool term();
  // Keeps the ack wait from running out; false once settled.
  bool keep_alive();
  bool settled() const;

 private:
  mutable std::mutex mutex_;
  nats::Message message_;
  Result<contract::Envelope> envelope_;
  int attempt_ = 1;
  bool settled_ = false;
};

using HeldTaskPtr = std::shared_ptr<HeldTask>;

}  // namespace rt::bridge
