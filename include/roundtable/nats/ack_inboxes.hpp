#pragma once
// Publishes that wait for the stream's ack on inboxes of our own.
//
// nats.c answers a request through one shared reply subscription whose callback runs on its own
// thread, which then wakes the caller: two thread hand-offs per acked publish. Here each
// publisher borrows a synchronous inbox subscription, so the reply wakes it straight from the
// connection's reader (docs/performance.md).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roundtable/common/result.hpp"
#include "roundtable/nats/connection.hpp"

namespace rt::nats {

struct PublishAck;
// Extra message headers, name and value.
using Headers = std::vector<std::pair<std::string, std::string>>;

class AckInboxes {
 public:
  AckInboxes(Connection& connection, std::chrono::milliseconds timeout) : connection_(connection), timeout_(timeout) {}
  ~AckInboxes();
  AckInboxes(const AckInboxes&) = delete;
  AckInboxes& operator=(const AckInboxes&) = delete;

  // Publishes with `Nats-Msg-Id` (when not empty) and waits for the stream's ack.
  Result<PublishAck> publish(const std::string& subject, std::string_view data, std::string_view msg_id, const Headers& headers);

 private:
  struct Inbox;

 public:
  // A publish whose ack is read later: the caller does other work meanwhile, and the ack waits
  // in the inbox without waking anyone. Destroying it unread gives the inbox back (a late ack is
  // then told apart by its number and dropped).
  class Pending {
   public:
    Pending(Pending&& other) noexcept;
    Pending& operator=(Pending&& other) noexcept;
    ~Pending();
    // The stream's ack, waiting until the publish's timeout (counted from the publish) at most.
    // Once; later calls are an error.
    Result<PublishAck> wait();

   private:
    friend class AckInboxes;
    Pending(AckInboxes& owner, std::unique_ptr<Inbox> inbox, std::string reply, std::string subject);
    AckInboxes* owner_;
    std::unique_ptr<Inbox> inbox_;
    std::string reply_;
    std::string subject_;
    std::chrono::steady_clock::time_point until_;
  };
  // Publishes as publish() does, without waiting for the ack.
  Result<Pending> send(const std::string& subject, std::string_view data, std::string_view msg_id, const Headers& headers);

 private:
  struct Inbox {
    std::string prefix;
    Subscription subscription;
    uint64_t sent = 0;
  };
  Result<std::unique_ptr<Inbox>> borrow();
  void give_back(std::unique_ptr<Inbox> inbox);

  Connection& connection_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Inbox>> idle_;
};

// The stream's answer to a publish: {"stream","seq","duplicate"} or {"error":{...}}.
Result<PublishAck> parse_publish_ack(std::string_view body, const std::string& subject);

}  // namespace rt::nats
