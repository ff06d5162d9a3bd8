#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "roundtable/common/result.hpp"

typedef struct __natsMsg natsMsg;
typedef struct __natsConnection natsConnection;

namespace rt::nats {

// Owns one natsMsg. JetStream acknowledgements are methods; each returns a status.
class Message {
 public:
  Message() = default;
  explicit Message(natsMsg* msg) : msg_(msg) {}
  // A JetStream message that came to a core subscription (a pull request's inbox): nats.c acks
  // only messages of its own JetStream subscriptions, so the acks are published on `acks_via`.
  Message(natsMsg* msg, natsConnection* acks_via) : msg_(msg), acks_via_(acks_via) {}
  ~Message();
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  Message(Message&& other) noexcept : msg_(other.msg_), acks_via_(other.acks_via_) { other.msg_ = nullptr; }
  Message& operator=(Message&& other) noexcept;

  explicit operator bool() const { return msg_ != nullptr; }
  std::string_view subject() const;
  std::string_view data() const;
  std::string_view reply() const;
  std::optional<std::string> header(const char* key) const;

  struct Delivery {
    uint64_t delivered = 1;       // 1 on first delivery
    uint64_t stream_sequence = 0;
    uint64_t pending = 0;
  };
  // JetStream metadata from the reply subject; nullopt for a core NATS message.
  std::optional<Delivery> delivery() const;

  Status ack();
  Status nak_with_delay(std::chrono::milliseconds delay);
  Status in_progress();
  Status term();

  natsMsg* get() const { return msg_; }
  // Gives up ownership (to a nats.c call that takes it).
  natsMsg* release() {
    natsMsg* msg = msg_;
    msg_ = nullptr;
    return msg;
  }

 private:
  Status reply_with(const char* ack, const char* what);
  natsMsg* msg_ = nullptr;
  natsConnection* acks_via_ = nullptr;
};

}  // namespace rt::nats
