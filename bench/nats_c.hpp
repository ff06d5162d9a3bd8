#pragma once
// The driver's own NATS client: the nats.c C API directly, not the product's rt::nats wrapper, so
// that a change to the wrapper moves the bridge's figures and never the floor's.
#include <nats/nats.h>

#include <chrono>
#include <string>
#include <string_view>

namespace rt::bench {

class NatsClient {
 public:
  NatsClient(const std::string& url, const std::string& name);
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;
  natsConnection* connection() const { return connection_; }
  jsCtx* js() const { return js_; }
  // Publishes through JetStream (msg id set) and waits for the stream's ack.
  void publish_acked(const std::string& subject, std::string_view data, const std::string& msg_id);
  // The contract's five streams (docs/contract.md §2), as the bridge would create them.
  void create_contract_streams();

 private:
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

// A durable pull consumer bound with js_PullSubscribe (the floor's).
class PullSubscription {
 public:
  PullSubscription(NatsClient& client, const std::string& subject, const std::string& durable);
  ~PullSubscription();
  PullSubscription(const PullSubscription&) = delete;
  PullSubscription& operator=(const PullSubscription&) = delete;
  natsSubscription* get() const { return sub_; }

 private:
  natsSubscription* sub_ = nullptr;
};

// The messages of one fetch.
class MessageList {
 public:
  MessageList() = default;
  ~MessageList() { natsMsgList_Destroy(&list_); }
  MessageList(const MessageList&) = delete;
  MessageList& operator=(const MessageList&) = delete;
  natsMsgList* get() { return &list_; }
  int size() const { return list_.Count; }
  natsMsg* operator[](int i) const { return list_.Msgs[i]; }

 private:
  natsMsgList list_{};
};

// A core (non-JetStream) synchronous subscription, e.g. to <fleet>.results.<domain>.>.
class CoreSubscription {
 public:
  CoreSubscription(NatsClient& client, const std::string& subject);
  ~CoreSubscription();
  CoreSubscription(const CoreSubscription&) = delete;
  CoreSubscription& operator=(const CoreSubscription&) = delete;
  // Waits for the next message whose subject ends with suffix (any when empty); others are
  // dropped and counted. Copies its payload when payload is given. False on timeout.
  bool next(std::chrono::milliseconds timeout, std::string_view suffix = {}, std::string* payload = nullptr);
  long dropped() const { return dropped_; }

 private:
  natsSubscription* sub_ = nullptr;
  long dropped_ = 0;
};

// Throws BenchError naming what failed when s is not NATS_OK.
void check(natsStatus s, const std::string& what);

}  // namespace rt::bench
