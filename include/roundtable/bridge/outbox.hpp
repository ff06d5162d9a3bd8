#pragma once
// Everything the bridge says on the bus: results (acked), events (async), all enveloped.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/common/result.hpp"
#include "roundtable/contract/outgoing_envelope.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::bridge {

// What an event or result refers to; for a rejected message, only what could be read.
struct TaskRef {
  std::optional<std::string> id;
  std::optional<std::string> requester;  // the task's "from"
  std::string domain;
  nlohmann::json trace;                        // envelope field `trace` of what is published for it (null: none)
  std::optional<std::string> parent_task_id;   // the delegating task, copied from the request
};

// A result ready to go out, kept until the stream confirms it: sent again as it is (same bytes,
// same Nats-Msg-Id, so never stored twice) when the confirmation does not come.
struct OutgoingResult {
  std::string task_id;
  std::string subject;
  std::string body;
  nats::Headers headers;
  std::optional<nats::AckInboxes::Pending> ack;  // of the last send, not read yet
};

class Outbox {
 public:
  Outbox(nats::JetStream& js, std::string fleet, std::string agent, Logger logger);

  // task.result or task.failed on <fleet>.results.<domain>.<id>, Nats-Msg-Id result-<id>, in
  // steps so that the caller can do other work before it reads the stream's ack: enveloped (an
  // error only when it has nowhere to go), sent, then confirmed. A result over 4 MiB becomes an
  // internal_error failure.
  Result<OutgoingResult> prepare_result(const TaskRef& task, std::string_view type, const contract::JsonText& payload);
  Result<OutgoingResult> prepare_result(const TaskRef& task, std::string_view type, const nlohmann::json& payload);
  Status send_result(OutgoingResult& result);
  Status confirm_result(OutgoingResult& result);
  // roundtable.events.<fleet>.<type>, Nats-Msg-Id = event id; does not wait for the ack.
  void publish_event(std::string_view type, const nlohmann::json& payload, const TaskRef* task = nullptr);
  // The same without asking for an ack at all: for the per-task notices (task.claimed,
  // task.progress), where the ack was a message each way per task for nothing acted on.
  void publish_notice(std::string_view type, const contract::JsonText& payload, const TaskRef* task);
  void publish_notice(std::string_view type, const nlohmann::json& payload, const TaskRef* task);
  // The same, waiting for the stream's ack: for events that must be stored before we move on.
  Status publish_event_acked(std::string_view type, const nlohmann::json& payload, const TaskRef* task = nullptr);
  // Heartbeat on <fleet>.heartbeat.<agent>, acked.
  Status publish_heartbeat(const nlohmann::json& payload);
  // Whether a result for this task is already stored (a redelivery after a crash).
  Result<bool> result_exists(const TaskRef& task);
  Status flush_events(std::chrono::milliseconds timeout) { return js_.complete_async(timeout); }

 private:
  struct Enveloped {
    std::string id;
    std::string body;
  };
  static contract::JsonText text_of(const nlohmann::json& payload);
  Enveloped envelope(std::string_view type, std::string_view payload_json, const TaskRef* task) const;
  using SendWithoutWaiting = Status (nats::JetStream::*)(std::string_view, std::string_view, std::string_view, const nats::Headers&);
  void send_event(std::string_view type, std::string_view payload_json, const TaskRef* task, SendWithoutWaiting send);

  nats::JetStream& js_;
  std::string fleet_;
  std::string agent_;
  Logger logger_;
};

}  // namespace rt::bridge
