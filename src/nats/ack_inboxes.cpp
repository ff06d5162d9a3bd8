#include "roundtable/nats/ack_inboxes.hpp"

#include <nats/nats.h>

#include "roundtable/nats/jetstream.hpp"
#include "message_build.hpp"
#include "status_error.hpp"

namespace rt::nats {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

AckInboxes::~AckInboxes() = default;

Result<std::unique_ptr<AckInboxes::Inbox>> AckInboxes::borrow() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto inbox = std::move(idle_.back());
      idle_.pop_back();
      return inbox;
    }
  }
  auto inbox = std::make_unique<Inbox>();
  inbox->prefix = connection_.new_inbox();
  auto subscription = connection_.subscribe_sync(inbox->prefix + ".*");
  if (!subscription) return subscription.error();
  inbox->subscription = std::move(*subscription);
  return inbox;
}

void AckInboxes::give_back(std::unique_ptr<Inbox> inbox) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(inbox));
}

Result<PublishAck> AckInboxes::publish(const std::string& subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  auto pending = send(subject, data, msg_id, headers);
  if (!pending) return pending.error();
  return pending->wait();
}

Result<AckInboxes::Pending> AckInboxes::send(const std::string& subject, std::string_view data, std::string_view msg_id, const Headers& headers) {
  auto borrowed = borrow();
  if (!borrowed) return borrowed.error();
  std::unique_ptr<Inbox> inbox = std::move(*borrowed);
  // A numbered reply: an ack that comes after its publish timed out is told apart and dropped.
  std::string reply = inbox->prefix + "." + std::to_string(++inbox->sent);
  auto msg = message_with_headers(subject, reply.c_str(), data, headers, msg_id);
  if (!msg) {
    give_back(std::move(inbox));
    return msg.error();
  }
  if (auto s = natsConnection_PublishMsg(connection_.get(), msg->get()); s != NATS_OK) {
    give_back(std::move(inbox));
    return nats_error(s, "publish to " + subject);
  }
  return Pending(*this, std::move(inbox), std::move(reply), subject);
}

AckInboxes::Pending::Pending(AckInboxes& owner, std::unique_ptr<Inbox> inbox, std::string reply, std::string subject)
    : owner_(&owner), inbox_(std::move(inbox)), reply_(std::move(reply)), subject_(std::move(subject)), until_(Clock::now() + owner.timeout_) {}

AckInboxes::Pending::Pending(Pending&& other) noexcept = default;

AckInboxes::Pending& AckInboxes::Pending::operator=(Pending&& other) noexcept {
  if (this == &other) return *this;
  if (inbox_) owner_->give_back(std::move(inbox_));
  owner_ = other.owner_;
  inbox_ = std::move(other.inbox_);
  reply_ = std::move(other.reply_);
  subject_ = std::move(other.subject_);
  until_ = other.until_;
  return *this;
}

AckInboxes::Pending::~Pending() {
  if (inbox_) owner_->give_back(std::move(inbox_));
}

Result<PublishAck> AckInboxes::Pending::wait() {
  if (!inbox_) return make_error(ErrorCode::internal_error, "publish to " + subject_ + ": its ack was already read");
  std::unique_ptr<Inbox> inbox = std::move(inbox_);
  struct GiveBack {
    AckInboxes& owner;
    std::unique_ptr<Inbox>& inbox;
    ~GiveBack() { owner.give_back(std::move(inbox)); }
  } give_back{*owner_, inbox};
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until_ - Clock::now());
    if (left.count() <= 0) return nats_error(NATS_TIMEOUT, "publish to " + subject_);
    auto answer = inbox->subscription.next(left);
    if (!answer) return answer.error().code == ErrorCode::timeout ? nats_error(NATS_TIMEOUT, "publish to " + subject_) : answer.error();
    if (answer->subject() != reply_) continue;
    if (auto status = answer->header("Status"); status && *status == "503")
      return nats_error(NATS_NO_RESPONDERS, "publish to " + subject_ + " (no stream takes this subject)");
    return parse_publish_ack(answer->data(), subject_);
  }
}

}  // namespace rt::nats
