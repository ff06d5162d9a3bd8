#include "roundtable/gateway/peer_requests.hpp"

#include <algorithm>

namespace rt::gateway {

PeerRequests::PeerRequests(WorkSlots& slots, size_t max_threads, Handler handle, Refusal refuse)
    : slots_(slots), max_threads_(std::max<size_t>(1, max_threads)), handle_(std::move(handle)), refuse_(std::move(refuse)) {}

PeerRequests::~PeerRequests() { shut_down(); }

void PeerRequests::submit(nats::Message message) {
  std::unique_lock lock(mutex_);
  reap_finished_locked();
  if (closed_) return;  // shutting down: the peer's request times out rather than touching a dying lead
  if (running_ >= max_threads_) {
    lock.unlock();
    refuse_(message, "busy: too many peer requests at once");
    return;
  }
  ++running_;
  auto shared = std::make_shared<nats::Message>(std::move(message));
  threads_.emplace_back([this, shared] { run(std::move(*shared)); });
}

void PeerRequests::run(nats::Message message) {
  if (auto slot = slots_.enter()) handle_(message);
  else refuse_(message, "busy: every work slot is taken (GATEWAY_MAX_CONCURRENCY)");
  std::lock_guard lock(mutex_);
  --running_;
  finished_.push_back(std::this_thread::get_id());
  done_.notify_all();
}

// Joins threads that have finished, so a long-running lead does not collect them.
void PeerRequests::reap_finished_locked() {
  for (auto id : finished_) {
    auto it = std::find_if(threads_.begin(), threads_.end(), [&](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();  // it has left run() but for the unlock: the join is immediate
    threads_.erase(it);
  }
  finished_.clear();
}

void PeerRequests::shut_down() {
  std::list<std::thread> threads;
  {
    std::unique_lock lock(mutex_);
    closed_ = true;
    done_.wait(lock, [this] { return running_ == 0; });
    threads.swap(threads_);
    finished_.clear();
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

}  // namespace rt::gateway
