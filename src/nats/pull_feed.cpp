#include "roundtable/nats/pull_feed.hpp"

#include <nats/nats.h>

#include <nlohmann/json.hpp>

#include "status_error.hpp"

namespace rt::nats {

using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kAckPrefix = "$JS.ACK.";
constexpr std::chrono::milliseconds kDrainGrace{200};

std::string next_subject(const PullFeed::Target& target) { return "$JS.API.CONSUMER.MSG.NEXT." + target.stream + "." + target.consumer; }

int64_t nanos(std::chrono::milliseconds duration) { return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count(); }

}  // namespace

Result<std::unique_ptr<PullFeed>> PullFeed::open(Connection& connection, std::vector<Target> targets, PullFeedSettings settings) {
  std::unique_ptr<PullFeed> feed(new PullFeed(connection, settings));
  // A request whose inbox is dropped is swept at its next idle heartbeat: two leave a margin.
  feed->guard_ = std::make_shared<RedeliveryGuard>(2 * settings.heartbeat);
  for (auto& target : targets) {
    TargetState state;
    state.ack_marker = "." + target.stream + "." + target.consumer + ".";
    state.target = std::move(target);
    feed->targets_.push_back(std::move(state));
  }
  if (auto subscribed = feed->subscribe_fresh_inbox(); !subscribed) return subscribed.error();
  feed->reconnects_seen_ = connection.reconnects();
  return feed;
}

Status PullFeed::subscribe_fresh_inbox() {
  inbox_ = connection_.new_inbox();
  for (size_t i = 0; i < targets_.size(); ++i) {
    targets_[i].reply = inbox_ + "." + std::to_string(i);
    targets_[i].outstanding = 0;
  }
  auto subscription = connection_.subscribe_sync(inbox_ + ".*");
  std::lock_guard lock(wake_mutex_);
  subscription_ = subscription ? std::move(*subscription) : Subscription();
  interrupted_ = false;
  if (!subscription) return subscription.error();
  return {};
}

PullFeed::~PullFeed() = default;

// wake() drained the inbox and no next() has read the rest of it yet: what it still holds is
// kept for next(), and a fresh inbox is taken, so that a request never goes to a dropped one.
Status PullFeed::finish_drain() {
  for (auto& message : close(kDrainGrace)) {
    if (auto index = target_of_reply(message.reply())) early_.push_back(Delivery{*index, std::move(message)});
  }
  return subscribe_fresh_inbox();
}

Status PullFeed::request(size_t index, int batch) {
  if (draining()) {
    if (auto fresh = finish_drain(); !fresh) return fresh;
  } else if (!subscription_.get()) {
    if (auto subscribed = subscribe_fresh_inbox(); !subscribed) return subscribed;
  }
  TargetState& state = targets_.at(index);
  if (state.outstanding > 0) return make_error(ErrorCode::invalid_params, "a pull request is already open on " + state.target.consumer);
  if (batch <= 0) return {};
  nlohmann::json body = {{"batch", batch}, {"expires", nanos(settings_.expires)}, {"idle_heartbeat", nanos(settings_.heartbeat)}};
  if (auto sent = connection_.publish_with_reply(next_subject(state.target), state.reply, body.dump()); !sent) return sent;
  state.outstanding = batch;
  state.last_heard = Clock::now();
  return {};
}

Result<std::optional<PullFeed::Delivery>> PullFeed::next(std::chrono::milliseconds wait) {
  if (!early_.empty()) {
    Delivery delivery = std::move(early_.front());
    early_.pop_front();
    return std::optional<Delivery>(std::move(delivery));
  }
  const auto until = Clock::now() + wait;
  if (!subscription_.get()) return make_error(ErrorCode::unavailable, "pull feed has no inbox");
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    natsMsg* raw = nullptr;
    natsStatus s = natsSubscription_NextMsg(&raw, subscription_.get(), std::max<int64_t>(left.count(), 0));
    if (s != NATS_OK && draining() && !natsSubscription_IsValid(subscription_.get())) {
      // wake() drained the inbox, and everything it still held has been read: start afresh.
      if (auto subscribed = subscribe_fresh_inbox(); !subscribed) return subscribed.error();
      return std::optional<Delivery>();
    }
    if (s == NATS_TIMEOUT && draining() && wait >= kDrainGrace) {
      // A drain that nothing came through for this long is as good as done (nats.c may not mark
      // it complete until its own 30 s timeout): start afresh rather than wait on it.
      if (auto subscribed = subscribe_fresh_inbox(); !subscribed) return subscribed.error();
      return std::optional<Delivery>();
    }
    if (s == NATS_TIMEOUT) {
      // Only with nothing left to read: a request's heartbeats may be waiting in the inbox.
      forget_lost_requests();
      return std::optional<Delivery>();
    }
    if (s != NATS_OK) return nats_error(s, "pull feed");
    Message message(raw, connection_.get());
    std::string_view reply = message.reply();
    if (reply.substr(0, kAckPrefix.size()) == kAckPrefix) {
      auto index = target_of_reply(reply);
      if (!index) continue;  // not one of ours (cannot happen on a private inbox): leave it to its ack wait
      TargetState& state = targets_[*index];
      state.outstanding = std::max(0, state.outstanding - 1);
      state.last_heard = Clock::now();
      return std::optional<Delivery>(Delivery{*index, std::move(message)});
    }
    if (auto code = message.header("Status")) {
      if (auto refused = on_status(message, *code); !refused) return refused.error();
    }
  }
}

// 100: a heartbeat of an open request. Anything else ends the request it answers: 408 it
// expired, 409 the server ended it (consumer deleted, leader change, limits), 404/503 refused.
Status PullFeed::on_status(const Message& message, std::string_view code) {
  auto index = target_of_inbox(message.subject());
  if (!index) return {};
  TargetState& state = targets_[*index];
  state.last_heard = Clock::now();
  if (code == "100") {
    ++heartbeats_;
    return {};
  }
  state.outstanding = 0;
  if (code == "408" || code == "404") return {};
  std::string description = message.header("Description").value_or("");
  if (code == "409" && description.find("Leadership Change") != std::string::npos) return {};
  return make_error(ErrorCode::unavailable, "pull request on " + state.target.consumer + " refused: " + std::string(code) + " " + description);
}

std::optional<size_t> PullFeed::target_of_reply(std::string_view ack_reply) const {
  for (size_t i = 0; i < targets_.size(); ++i)
    if (ack_reply.find(targets_[i].ack_marker, kAckPrefix.size() - 1) != std::string_view::npos) return i;
  return std::nullopt;
}

std::optional<size_t> PullFeed::target_of_inbox(std::string_view subject) const {
  for (size_t i = 0; i < targets_.size(); ++i)
    if (subject == targets_[i].reply) return i;
  return std::nullopt;
}

// After a reconnect the server may have dropped every open request, and a request that went
// silent for several heartbeats is gone: both are asked for again by the caller.
void PullFeed::forget_lost_requests() {
  const uint64_t reconnects = connection_.reconnects();
  const bool reconnected = reconnects != reconnects_seen_;
  reconnects_seen_ = reconnects;
  const auto silence = settings_.heartbeat * settings_.missed_heartbeats;
  const auto now = Clock::now();
  for (auto& state : targets_)
    if (state.outstanding > 0 && (reconnected || now - state.last_heard > silence)) state.outstanding = 0;
}

bool PullFeed::draining() {
  std::lock_guard lock(wake_mutex_);
  return interrupted_;
}

// A message of our own could wake the reader, but a fleet's NATS user may not publish to inboxes
// (docs/security.md): draining the inbox does it, and withdraws the open requests as a bonus.
void PullFeed::wake() {
  std::lock_guard lock(wake_mutex_);
  if (!subscription_.get() || interrupted_) return;
  interrupted_ = true;
  guard_->inbox_dropped();
  natsSubscription_Drain(subscription_.get());
}

Result<std::vector<Message>> PullFeed::withdraw(std::chrono::milliseconds wait) {
  auto stragglers = close(wait);
  if (auto subscribed = subscribe_fresh_inbox(); !subscribed) return subscribed.error();
  return stragglers;
}

std::vector<Message> PullFeed::close(std::chrono::milliseconds wait) {
  std::vector<Message> stragglers;
  for (auto& delivery : early_) stragglers.push_back(std::move(delivery.message));
  early_.clear();
  if (!subscription_.get()) return stragglers;
  // Drain: the server learns there is no interest (and drops the open requests the next time it
  // looks at them: redelivery_guard.hpp), and what it sent before that still arrives here.
  bool draining;
  {
    std::lock_guard lock(wake_mutex_);
    if (!interrupted_) guard_->inbox_dropped();
    draining = interrupted_ || natsSubscription_Drain(subscription_.get()) == NATS_OK;
    interrupted_ = true;
  }
  const auto until = Clock::now() + wait;
  while (draining && Clock::now() < until) {
    natsMsg* raw = nullptr;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    natsStatus s = natsSubscription_NextMsg(&raw, subscription_.get(), std::max<int64_t>(left.count(), 1));
    if (s != NATS_OK) break;
    Message message(raw, connection_.get());
    if (message.reply().substr(0, kAckPrefix.size()) == kAckPrefix) stragglers.push_back(std::move(message));
  }
  {
    std::lock_guard lock(wake_mutex_);
    subscription_ = Subscription();
  }
  for (auto& state : targets_) state.outstanding = 0;
  return stragglers;
}

}  // namespace rt::nats
