#include "roundtable/gateway/a2a/task_store.hpp"

#include "roundtable/common/time.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt::gateway::a2a {

using nlohmann::json;

const char* state_name(TaskState state) {
  switch (state) {
    case TaskState::submitted: return "TASK_STATE_SUBMITTED";
    case TaskState::working: return "TASK_STATE_WORKING";
    case TaskState::completed: return "TASK_STATE_COMPLETED";
    case TaskState::failed: return "TASK_STATE_FAILED";
    case TaskState::canceled: return "TASK_STATE_CANCELED";
  }
  return "TASK_STATE_UNSPECIFIED";
}

bool is_terminal(TaskState state) {
  return state == TaskState::completed || state == TaskState::failed || state == TaskState::canceled;
}

json text_message(const char* role, const std::string& text, const std::string& task_id, const std::string& context_id) {
  return {{"messageId", make_uuid_v4()}, {"role", role}, {"parts", json::array({{{"text", text}}})},
          {"taskId", task_id}, {"contextId", context_id}};
}

TaskStore::TaskStore(StoreLimits limits) : limits_(limits) {}

TaskStore::Record* TaskStore::find(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &*it->second;
}

void TaskStore::touch(Record& record) const {
  record.touched = std::chrono::steady_clock::now();
  tasks_.splice(tasks_.begin(), tasks_, index_.at(record.id));
}

void TaskStore::charge(Record& record, size_t bytes) {
  record.bytes += bytes;
  bytes_ += bytes;
}

void TaskStore::push_event(Record& record, json event) {
  charge(record, 256);  // the event's frame; an answer it carries is charged by complete()
  record.events.push_back(std::move(event));
  if (record.events.size() > limits_.max_events) {
    record.events.erase(record.events.begin());
    ++record.first_event;
  }
  changed_.notify_all();
}

void TaskStore::set_status(Record& record, TaskState state, json message) {
  record.state = state;
  record.status_message = std::move(message);
  record.timestamp = format_rfc3339_millis(std::chrono::system_clock::now());
  json status = {{"state", state_name(state)}, {"timestamp", record.timestamp}};
  if (!record.status_message.is_null()) status["message"] = record.status_message;
  push_event(record, {{"statusUpdate", {{"taskId", record.id}, {"contextId", record.context_id}, {"status", std::move(status)}}}});
  touch(record);
}

void TaskStore::drop(List::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->id);
  tasks_.erase(it);
}

// Expired tasks first; then, over the count or the bytes, the least recently used finished
// task (a running one only when every task is running, which the work slots make rare).
void TaskStore::evict() {
  auto now = std::chrono::steady_clock::now();
  while (!tasks_.empty() && now - tasks_.back().touched > limits_.max_age) drop(std::prev(tasks_.end()));
  while (tasks_.size() > limits_.max_tasks || (bytes_ > limits_.max_bytes && tasks_.size() > 1)) {
    auto victim = std::prev(tasks_.end());
    for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it)
      if (is_terminal(it->state)) {
        victim = std::prev(it.base());
        break;
      }
    drop(victim);
  }
}

std::string TaskStore::create(const std::string& context_id, json user_message) {
  std::lock_guard lock(mutex_);
  Record record;
  record.id = make_uuid_v4();
  record.context_id = context_id;
  user_message["taskId"] = record.id;
  user_message["contextId"] = context_id;
  record.history.push_back(std::move(user_message));
  record.timestamp = format_rfc3339_millis(std::chrono::system_clock::now());
  record.touched = std::chrono::steady_clock::now();
  std::string id = record.id;
  tasks_.push_front(std::move(record));
  index_[id] = tasks_.begin();
  charge(tasks_.front(), tasks_.front().history.front().dump().size());
  evict();
  return id;
}

bool TaskStore::contains(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return find(id) != nullptr;
}

json TaskStore::task_json(const Record& record, std::optional<size_t> history_length) const {
  json status = {{"state", state_name(record.state)}, {"timestamp", record.timestamp}};
  if (!record.status_message.is_null()) status["message"] = record.status_message;
  json task = {{"id", record.id}, {"contextId", record.context_id}, {"status", std::move(status)}};
  if (!record.artifacts.empty()) task["artifacts"] = record.artifacts;
  size_t keep = history_length ? std::min(*history_length, record.history.size()) : record.history.size();
  if (keep > 0) task["history"] = json(std::vector<json>(record.history.end() - static_cast<std::ptrdiff_t>(keep), record.history.end()));
  if (!record.metadata.empty()) task["metadata"] = record.metadata;
  return task;
}

std::optional<json> TaskStore::get(const std::string& id, std::optional<size_t> history_length) const {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record) return std::nullopt;
  return task_json(*record, history_length);
}

bool TaskStore::working(const std::string& id, const std::string& progress) {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record || is_terminal(record->state)) return false;
  set_status(*record, TaskState::working, progress.empty() ? json() : text_message("ROLE_AGENT", progress, id, record->context_id));
  return true;
}

bool TaskStore::complete(const std::string& id, const std::string& answer, const std::string& media_type, json metadata) {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record || is_terminal(record->state)) return false;
  json artifact = {{"artifactId", "answer-" + id}, {"name", "answer"},
                   {"parts", json::array({{{"text", answer}, {"mediaType", media_type}}})}};
  record->artifacts = json::array({artifact});
  record->metadata = std::move(metadata);
  record->history.push_back(text_message("ROLE_AGENT", answer, id, record->context_id));
  charge(*record, 3 * answer.size());  // the artifact, the history and the artifact event
  push_event(*record, {{"artifactUpdate", {{"taskId", id}, {"contextId", record->context_id}, {"artifact", std::move(artifact)},
                                           {"lastChunk", true}}}});
  set_status(*record, TaskState::completed, json());
  evict();
  return true;
}

bool TaskStore::fail(const std::string& id, const std::string& reason, json metadata) {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record || is_terminal(record->state)) return false;
  record->metadata = std::move(metadata);
  set_status(*record, TaskState::failed, text_message("ROLE_AGENT", reason, id, record->context_id));
  return true;
}

TaskStore::CancelOutcome TaskStore::cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record) return CancelOutcome::not_found;
  if (is_terminal(record->state)) return CancelOutcome::not_cancelable;
  set_status(*record, TaskState::canceled, text_message("ROLE_AGENT", "canceled at the client's request", id, record->context_id));
  return CancelOutcome::canceled;
}

bool TaskStore::canceled(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  return !record || record->state == TaskState::canceled;
}

void TaskStore::cancel_all(const std::string& reason) {
  std::lock_guard lock(mutex_);
  std::vector<Record*> open;
  for (auto& record : tasks_)
    if (!is_terminal(record.state)) open.push_back(&record);
  for (Record* record : open) set_status(*record, TaskState::canceled, text_message("ROLE_AGENT", reason, record->id, record->context_id));
}

std::vector<json> TaskStore::context_history(const std::string& context_id, const std::string& except_task) const {
  std::lock_guard lock(mutex_);
  std::vector<const Record*> turns;  // newest first, as the list keeps them
  for (const auto& record : tasks_)
    if (record.context_id == context_id && record.id != except_task && record.state == TaskState::completed) turns.push_back(&record);
  std::sort(turns.begin(), turns.end(), [](const Record* a, const Record* b) { return a->timestamp < b->timestamp; });
  std::vector<json> messages;
  for (const Record* record : turns) messages.insert(messages.end(), record->history.begin(), record->history.end());
  if (messages.size() > limits_.max_context_messages)
    messages.erase(messages.begin(), messages.end() - static_cast<std::ptrdiff_t>(limits_.max_context_messages));
  return messages;
}

TaskStore::Events TaskStore::wait_events(const std::string& id, uint64_t after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  auto ready = [&] {
    Record* record = find(id);
    return !record || is_terminal(record->state) || record->first_event + record->events.size() > after;
  };
  changed_.wait_for(lock, timeout, ready);
  Events out;
  Record* record = find(id);
  if (!record) return out;
  out.found = true;
  uint64_t from = std::max(after, record->first_event);
  for (uint64_t n = from; n < record->first_event + record->events.size(); ++n) out.events.push_back(record->events[n - record->first_event]);
  out.next = record->first_event + record->events.size();
  out.terminal = is_terminal(record->state);
  return out;
}

std::optional<TaskStore::Snapshot> TaskStore::snapshot(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Record* record = find(id);
  if (!record) return std::nullopt;
  return Snapshot{task_json(*record, std::nullopt), record->first_event + record->events.size(), is_terminal(record->state)};
}

size_t TaskStore::size() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

}  // namespace rt::gateway::a2a
