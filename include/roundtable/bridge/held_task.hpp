#pragma once
// A task message the bridge holds: queued for a slot or in flight. Every acknowledgement
// goes through here so the in-progress keeper and the worker never race on the message.
// The message's bytes are the one copy of the task: the envelope is parsed once, keeping of
// the payload only what the bridge reads (contract/task_view.hpp).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/task_view.hpp"
#include "roundtable/nats/message.hpp"
#include "roundtable/nats/redelivery_guard.hpp"
#include "roundtable/trace/context.hpp"

namespace rt::bridge {

class HeldTask {
 public:
  // Every nak goes through `guard` when there is one (nats/redelivery_guard.hpp).
  explicit HeldTask(nats::Message message, std::shared_ptr<const nats::RedeliveryGuard> guard = nullptr);

  const nats::Message& message() const { return message_; }
  // Validated like contract::parse_envelope; the payload holds task, responseFormat, maxTokens,
  // conversation, and only the type of params (a chat gateway parses them from message() again).
  const Result<contract::Envelope>& envelope() const { return envelope_; }
  // The whole envelope, payload and all, parsed again from the message (rare paths: dead letters).
  nlohmann::json full_envelope_json() const;
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

  // What the worker running the task does before it first waits for something of unknown length
  // (the gateway's answer, an open breaker, a store to retry): it hands over the intake's lead it
  // kept through the task (task_queue.hpp). Set and called on the worker's thread only; once.
  void set_before_waiting(std::function<void()> hook) { before_waiting_ = std::move(hook); }
  void before_waiting() {
    if (auto hook = std::exchange(before_waiting_, nullptr)) hook();
  }

 private:
  mutable std::mutex mutex_;
  nats::Message message_;
  std::shared_ptr<const nats::RedeliveryGuard> guard_;
  Result<contract::Envelope> envelope_;
  int attempt_ = 1;
  bool settled_ = false;
  std::function<void()> before_waiting_;
};

using HeldTaskPtr = std::shared_ptr<HeldTask>;

}  // namespace rt::bridge
