#pragma once
// One task, step by step (docs/contract.md §3 and §5: validate, de-duplicate, deliver, settle).
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "roundtable/bridge/cancel_watch.hpp"
#include "roundtable/bridge/config.hpp"
#include "roundtable/bridge/dedup_store.hpp"
#include "roundtable/bridge/gateway_client.hpp"
#include "roundtable/bridge/held_task.hpp"
#include "roundtable/bridge/intake_gate.hpp"
#include "roundtable/bridge/outbox.hpp"
#include "roundtable/common/log.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/trace/exporter.hpp"
#include "roundtable/trace/span.hpp"

namespace rt::bridge {

// Shared readiness facts the processor learns from gateway answers.
struct GatewayState {
  std::atomic<bool> auth_ok{true};
  std::atomic<int> active{0};
};

// A completed task whose result was sent, the stream's confirmation not read yet. The worker
// reads it (TaskProcessor::settle) before it would wait for anything, or after its next task:
// meanwhile the confirmation waits in an inbox and wakes nobody (docs/performance.md).
struct DeferredCompletion {
  OutgoingResult result;
  std::string task_name;
  int64_t duration_ms = 0;
};

class TaskProcessor {
 public:
  TaskProcessor(const BridgeConfig& config, Outbox& outbox, DedupStore& dedup, GatewayClient& gateway,
                http::MetricsRegistry& metrics, GatewayState& gateway_state, IntakeGate& gate, const Clock& clock, Logger logger,
                trace::Exporter* spans = nullptr, CancelWatch* cancels = nullptr);

  // Settles the task, or, when it completed, may leave the confirmation of its stored result to
  // settle() and return what that needs.
  std::unique_ptr<DeferredCompletion> process(HeldTask& task);
  // Reads the confirmation, then acks the task. Without may_retry, a result the stream did not
  // confirm leaves everything as it was (false): settle again with may_retry, when the worker may
  // spend the store's retry window on it, as complete() would have.
  bool settle(HeldTask& task, DeferredCompletion& completion, bool may_retry);
  // Once set, a result that cannot be stored is given back (nak) instead of retried.
  void stop_retrying() { stopping_ = true; }

 private:
  struct Validated;
  std::optional<Validated> validate(HeldTask& task);
  void reject(HeldTask& task, ErrorCode code, const std::string& reason, const std::optional<std::string>& domain);
  std::unique_ptr<DeferredCompletion> complete(HeldTask& task, const Validated& v, contract::TaskResult result,
                                               std::chrono::steady_clock::time_point started);
  void finish_completed(HeldTask& task, const DeferredCompletion& completion);
  void fail(HeldTask& task, const Validated& v, contract::TaskFailure failure);
  void finish_failed(HeldTask& task, const Validated& v, const nlohmann::json& failure_json, bool dead_letter);
  void dead_letter_interrupted(HeldTask& task, const Validated& v);
  void finish_cancelled(HeldTask& task, const Validated& v, const contract::CancelRequest& cancel);
  bool already_answered(const HeldTask& task, const Validated& v);
  std::optional<GatewayOutcome> deliver_when_gateway_takes_it(HeldTask& task, const Validated& v);
  void record_for_breaker(const IntakeGate::Permit& permit, const GatewayOutcome& answer);
  static std::chrono::milliseconds seconds_to_delay(int64_t seconds);
  bool store_result(HeldTask& task, const TaskRef& ref, std::string_view type, const nlohmann::json& payload);
  bool store_outgoing(HeldTask& task, OutgoingResult& result);
  std::chrono::milliseconds retry_delay(int attempt, const std::optional<int64_t>& retry_after) const;
  void count(const char* outcome_label);
  trace::Span start_attempt_span(const HeldTask& task, Validated& v) const;
  bool exporting() const { return spans_ && spans_->enabled(); }
  static void mark_attempt_span(trace::Span& span, const GatewayOutcome& answer);
  void finish_attempt_span(trace::Span span) const;

  const BridgeConfig& config_;
  Outbox& outbox_;
  DedupStore& dedup_;
  GatewayClient& gateway_;
  http::MetricsRegistry& metrics_;
  GatewayState& gateway_state_;
  IntakeGate& gate_;
  const Clock& clock_;
  Logger logger_;
  trace::Exporter* spans_;
  CancelWatch* cancels_;
  std::atomic<bool> stopping_{false};
};

}  // namespace rt::bridge
