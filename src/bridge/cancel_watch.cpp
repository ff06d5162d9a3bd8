#include "roundtable/bridge/cancel_watch.hpp"

#include <vector>

#include "roundtable/contract/subjects.hpp"

namespace rt::bridge {

namespace {
constexpr size_t kMaxSeen = 10'000;  // cancels remembered locally; older ones are read from the stream
}  // namespace

CancelWatch::CancelWatch(nats::Connection& connection, nats::JetStream& js, std::string fleet, Logger logger)
    : connection_(connection), js_(js), fleet_(std::move(fleet)), logger_(std::move(logger)) {}

CancelWatch::~CancelWatch() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (loader_.joinable()) loader_.join();
  subscription_ = nats::Subscription();
}

Status CancelWatch::start() {
  auto sub = connection_.subscribe(fleet_ + ".cancel.>", [this](nats::Message message) { on_message(message); });
  if (!sub) return sub.error();
  subscription_ = std::move(*sub);
  loader_ = std::thread([this] { keep_complete(); });
  return {};
}

void CancelWatch::on_message(const nats::Message& message) {
  auto envelope = contract::parse_envelope(message.data(), contract::kMaxTaskBytes);
  auto cancel = envelope ? contract::parse_cancel(*envelope) : Result<contract::CancelRequest>(envelope.error());
  if (!cancel) {
    logger_.warn("cancel.unreadable", {{"subject", std::string(message.subject())}, {"error", cancel.error().message}});
    return;
  }
  if (message.subject() != fleet_ + ".cancel." + cancel->task_id) {
    logger_.warn("cancel.subject_mismatch", {{"subject", std::string(message.subject())}, {"task_id", cancel->task_id}});
    return;
  }
  remember(*cancel);
  std::vector<std::function<void()>> to_run;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = holders_.equal_range(cancel->task_id);
    for (auto it = first; it != last; ++it)
      if (!it->second.fired) {
        it->second.fired = true;
        to_run.push_back(it->second.on_cancel);
      }
  }
  if (!to_run.empty()) logger_.info("cancel.running_task", {{"task_id", cancel->task_id}, {"by", cancel->by}});
  for (auto& run : to_run) run();
}

void CancelWatch::remember(const contract::CancelRequest& cancel) {
  std::lock_guard lock(mutex_);
  if (!seen_.emplace(cancel.task_id, cancel).second) return;
  seen_order_.push_back(cancel.task_id);
  if (seen_order_.size() > kMaxSeen) {
    loaded_at_reconnect_ = kNotLoaded;  // forgetting one: no longer knows every stored cancel
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

std::optional<contract::CancelRequest> CancelWatch::lookup(const std::string& task_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = seen_.find(task_id); it != seen_.end()) return it->second;
  }
  if (knows_all()) return std::nullopt;
  return look_up_stored(task_id);
}

std::optional<contract::CancelRequest> CancelWatch::look_up_stored(const std::string& task_id) {
  auto subject = contract::cancel_subject(fleet_, task_id);
  if (!subject) return std::nullopt;
  auto stored = js_.last_message(contract::kCancelsStream, *subject);
  if (!stored) {
    logger_.warn("cancel.lookup_failed", {{"task_id", task_id}, {"error", stored.error().message}});
    return std::nullopt;
  }
  if (!*stored) return std::nullopt;
  auto envelope = contract::parse_envelope((*stored)->data(), contract::kMaxTaskBytes);
  if (!envelope) return std::nullopt;
  auto cancel = contract::parse_cancel(*envelope);
  if (!cancel || cancel->task_id != task_id) return std::nullopt;
  remember(*cancel);
  return *cancel;
}

CancelWatch::Hold CancelWatch::hold(const std::string& task_id, std::function<void()> on_cancel) {
  bool seen = false;
  uint64_t token = 0;
  {
    std::lock_guard lock(mutex_);
    token = next_token_++;
    seen = seen_.count(task_id) > 0;
    holders_.emplace(task_id, Holder{token, seen ? std::function<void()>() : on_cancel, seen});
  }
  // A cancel that arrived between the lookup at fetch and this hold.
  if (seen) on_cancel();
  return Hold(this, task_id, token);
}

void CancelWatch::release(const std::string& task_id, uint64_t token) {
  std::lock_guard lock(mutex_);
  auto [first, last] = holders_.equal_range(task_id);
  for (auto it = first; it != last; ++it)
    if (it->second.token == token) {
      holders_.erase(it);
      return;
    }
}

bool CancelWatch::fired(const std::string& task_id, uint64_t token) const {
  std::lock_guard lock(mutex_);
  auto [first, last] = holders_.equal_range(task_id);
  for (auto it = first; it != last; ++it)
    if (it->second.token == token) return it->second.fired;
  return false;
}

CancelWatch::Hold::Hold(CancelWatch* watch, std::string task_id, uint64_t token)
    : watch_(watch), task_id_(std::move(task_id)), token_(token) {}

CancelWatch::Hold::~Hold() {
  if (watch_) watch_->release(task_id_, token_);
}

CancelWatch::Hold::Hold(Hold&& other) noexcept : watch_(other.watch_), task_id_(std::move(other.task_id_)), token_(other.token_) {
  other.watch_ = nullptr;
}

bool CancelWatch::Hold::cancelled() const { return watch_ && watch_->fired(task_id_, token_); }

}  // namespace rt::bridge
