// Creating and reconciling the contract's streams (docs/contract.md §2).
#include <nats/nats.h>

#include "roundtable/common/duration.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "status_error.hpp"

namespace rt::nats {
namespace {

using contract::Retention;
using contract::StreamSpec;
using contract::Storage;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

StreamState state_from(const jsStreamInfo* info) {
  const jsStreamConfig* c = info->Config;
  StreamState st;
  for (int i = 0; i < c->SubjectsLen; ++i) st.subjects.emplace_back(c->Subjects[i]);
  st.retention = c->Retention == js_WorkQueuePolicy ? Retention::work_queue : Retention::limits;
  st.storage = c->Storage == js_MemoryStorage ? Storage::memory : Storage::file;
  st.max_age = std::chrono::seconds(c->MaxAge / kNanosPerSecond);
  st.max_msg_size = c->MaxMsgSize;
  st.duplicate_window = std::chrono::seconds(c->Duplicates / kNanosPerSecond);
  st.discard_old = c->Discard == js_DiscardOld;
  st.max_msgs_per_subject = c->MaxMsgsPerSubject;
  st.replicas = static_cast<int>(c->Replicas);
  st.messages = info->State.Msgs;
  return st;
}

std::string seconds_text(std::chrono::seconds s) { return format_duration(std::chrono::duration_cast<Millis>(s)); }

// Differences the server can take in an update, and those it cannot.
struct Diff {
  std::vector<std::string> updatable;
  std::vector<std::string> fixed;
};

Diff compare(const StreamState& have, const StreamSpec& want) {
  Diff d;
  auto note = [](std::vector<std::string>& into, const std::string& field, const std::string& from, const std::string& to) {
    into.push_back(field + " " + from + " -> " + to);
  };
  if (have.subjects != want.subjects) note(d.updatable, "subjects", join(have.subjects, ","), join(want.subjects, ","));
  if (have.max_age != want.max_age) note(d.updatable, "max_age", seconds_text(have.max_age), seconds_text(want.max_age));
  if (have.max_msg_size != want.max_msg_size)
    note(d.updatable, "max_msg_size", std::to_string(have.max_msg_size), std::to_string(want.max_msg_size));
  if (have.duplicate_window != want.duplicate_window)
    note(d.updatable, "duplicate_window", seconds_text(have.duplicate_window), seconds_text(want.duplicate_window));
  if (have.discard_old != want.discard_old) note(d.updatable, "discard", have.discard_old ? "old" : "new", want.discard_old ? "old" : "new");
  if (have.max_msgs_per_subject != want.max_msgs_per_subject)
    note(d.updatable, "max_msgs_per_subject", std::to_string(have.max_msgs_per_subject), std::to_string(want.max_msgs_per_subject));
  if (have.replicas != want.replicas) note(d.updatable, "replicas", std::to_string(have.replicas), std::to_string(want.replicas));
  auto retention = [](Retention r) { return r == Retention::work_queue ? "workqueue" : "limits"; };
  auto storage = [](Storage s) { return s == Storage::memory ? "memory" : "file"; };
  if (have.retention != want.retention) note(d.fixed, "retention", retention(have.retention), retention(want.retention));
  if (have.storage != want.storage) note(d.fixed, "storage", storage(have.storage), storage(want.storage));
  return d;
}

// Fills cfg from spec; `subjects` must outlive cfg.
void fill_config(jsStreamConfig& cfg, const StreamSpec& spec, std::vector<const char*>& subjects) {
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Retention = spec.retention == Retention::work_queue ? js_WorkQueuePolicy : js_LimitsPolicy;
  cfg.Storage = spec.storage == Storage::memory ? js_MemoryStorage : js_FileStorage;
  cfg.MaxAge = spec.max_age.count() * kNanosPerSecond;
  cfg.MaxMsgSize = spec.max_msg_size;
  cfg.Duplicates = spec.duplicate_window.count() * kNanosPerSecond;
  cfg.Discard = spec.discard_old ? js_DiscardOld : js_DiscardNew;
  cfg.MaxMsgsPerSubject = spec.max_msgs_per_subject;
  cfg.Replicas = spec.replicas;
}

}  // namespace

std::string_view apply_outcome_name(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::created: return "created";
    case ApplyOutcome::updated: return "updated";
    case ApplyOutcome::mismatch: return "mismatch";
    default: return "unchanged";
  }
}

Result<StreamState> JetStream::stream_state(std::string_view name) {
  std::string stream(name);
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) return make_error(ErrorCode::not_found, "stream " + stream + " not found");
  if (s != NATS_OK) return nats_error(s, "stream info " + stream, jerr);
  StreamState state = state_from(info);
  jsStreamInfo_Destroy(info);
  return state;
}

Result<StreamApplyReport> JetStream::apply_stream(const StreamSpec& spec) {
  StreamApplyReport report{spec.name, ApplyOutcome::unchanged, {}};
  auto existing = stream_state(spec.name);
  std::vector<const char*> subjects;
  jsStreamConfig cfg;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (!existing && existing.error().code == ErrorCode::not_found) {
    fill_config(cfg, spec, subjects);
    jsStreamInfo* info = nullptr;
    natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &jerr);
    if (info) jsStreamInfo_Destroy(info);
    if (s == NATS_OK) {
      report.outcome = ApplyOutcome::created;
      return report;
    }
    // Another process may have created it in between: fall through to a compare.
    existing = stream_state(spec.name);
    if (!existing) return nats_error(s, "create stream " + spec.name, jerr);
  }
  if (!existing) return existing.error();
  Diff diff = compare(*existing, spec);
  if (diff.updatable.empty() && diff.fixed.empty()) return report;
  if (!diff.updatable.empty()) {
    StreamSpec updatable = spec;
    updatable.retention = existing->retention;  // cannot change in place; keep what is there
    updatable.storage = existing->storage;
    fill_config(cfg, updatable, subjects);
    jsStreamInfo* info = nullptr;
    natsStatus s = js_UpdateStream(&info, js_, &cfg, nullptr, &jerr);
    if (info) jsStreamInfo_Destroy(info);
    if (s != NATS_OK) {
      report.outcome = ApplyOutcome::mismatch;
      report.differences = diff.updatable;
      report.differences.push_back(std::string("update refused: ") + nats_error(s, "update", jerr).message);
      for (auto& f : diff.fixed) report.differences.push_back(f + " (cannot change in place)");
      return report;
    }
    report.outcome = ApplyOutcome::updated;
    report.differences = diff.updatable;
  }
  if (!diff.fixed.empty()) {
    report.outcome = ApplyOutcome::mismatch;
    for (auto& f : diff.fixed) report.differences.push_back(f + " (cannot change in place: recreate the stream)");
  }
  return report;
}

}  // namespace rt::nats
