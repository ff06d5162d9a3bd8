#pragma once
// Runs other fleets' peer requests off nats.c's delivery thread, like any other work: each takes
// a work slot (GATEWAY_MAX_CONCURRENCY), a full house is refused at once, and shutdown waits for
// the running ones before anything they use is destroyed.
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "roundtable/gateway/work_slots.hpp"
#include "roundtable/nats/message.hpp"

namespace rt::gateway {

class PeerRequests : public std::enable_shared_from_this<PeerRequests> {
 public:
  using Handler = std::function<void(const nats::Message&)>;
  using Refusal = std::function<void(const nats::Message&, const std::string& reason)>;
  // `max_threads` bounds the requests held at once (running or waiting for a slot).
  PeerRequests(WorkSlots& slots, size_t max_threads, Handler handle, Refusal refuse);
  ~PeerRequests();

  // Called on the NATS thread; returns at once.
  void submit(nats::Message message);
  // Refuses new requests, then waits for the ones running.
  void shut_down();

 private:
  void run(nats::Message message);
  void reap_finished_locked();

  WorkSlots& slots_;
  const size_t max_threads_;
  Handler handle_;
  Refusal refuse_;
  std::mutex mutex_;
  std::condition_variable done_;
  bool closed_ = false;
  size_t running_ = 0;
  std::list<std::thread> threads_;
  std::list<std::thread::id> finished_;
};

}  // namespace rt::gateway
