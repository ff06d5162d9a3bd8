#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "roundtable/common/log.hpp"
#include "roundtable/common/result.hpp"
#include "roundtable/nats/message.hpp"
#include "roundtable/nats/settings.hpp"

typedef struct __natsConnection natsConnection;
typedef struct __natsSubscription natsSubscription;

namespace rt::nats {

// A core NATS subscription (sync or with a handler). Unsubscribes on destruction.
class Subscription {
 public:
  using Handler = std::function<void(Message)>;
  Subscription() = default;
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;

  // Next message, or timeout error. Only for sync subscriptions.
  Result<Message> next(std::chrono::milliseconds timeout);
  natsSubscription* get() const { return sub_; }

 private:
  friend class Connection;
  friend class JetStream;
  natsSubscription* sub_ = nullptr;
  std::unique_ptr<Handler> handler_;  // stable address for the C callback
};

// Owns a natsConnection. Reconnects forever; state changes are logged and observable.
class Connection {
 public:
  // Connects; when no server answers yet, keeps trying in the background (connected() false)
  // unless settings.retry_on_failed_connect is false. Bad credentials or TLS files fail here.
  static Result<std::unique_ptr<Connection>> connect(const NatsSettings& settings, Logger logger);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_.load(); }
  // How many times the connection came back after a loss; what was published meanwhile may be missed.
  uint64_t reconnects() const { return reconnects_.load(); }
  // Waits until connected or the timeout passes; true when connected.
  bool wait_connected(std::chrono::milliseconds timeout) const;
  std::string last_error() const;
  // Closed for good: nats.c gives up on an authorization or TLS failure at connect.
  bool closed() const;

  Status publish(std::string_view subject, std::string_view data);
  Status publish_with_reply(std::string_view subject, std::string_view reply, std::string_view data);
  Result<Message> request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout);
  Result<Subscription> subscribe_sync(std::string_view subject);
  Result<Subscription> subscribe(std::string_view subject, Subscription::Handler handler);
  Status flush(std::chrono::milliseconds timeout);
  // Flushes what was published and closes. Safe to call twice.
  void drain(std::chrono::milliseconds timeout);
  std::string new_inbox() const;

  natsConnection* get() const { return nc_; }
  const Logger& logger() const { return logger_; }

 private:
  explicit Connection(Logger logger) : logger_(std::move(logger)) {}
  friend struct ConnectionCallbacks;

  natsConnection* nc_ = nullptr;
  Logger logger_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> drained_{false};
  std::atomic<uint64_t> reconnects_{0};
  // nats.c calls the closed callback last, on its own thread: the destructor waits for it.
  std::mutex closed_mutex_;
  std::condition_variable closed_cv_;
  bool closed_ = false;
};

}  // namespace rt::nats
