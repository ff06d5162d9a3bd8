#include "roundtable/bridge/worker_pool.hpp"

#include <system_error>

namespace rt::bridge {

void WorkerPool::add(size_t count) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < count && !closed_ && static_cast<int>(threads_.size()) < limit_; ++i) {
    try {
      threads_.emplace_back(body_);
    } catch (const std::system_error&) {
      return;  // no thread to be had now (EAGAIN): the workers already running carry on; a later add() tries again
    }
  }
}

void WorkerPool::close_and_join() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    threads.swap(threads_);
  }
  for (auto& thread : threads)
    if (thread.joinable()) thread.join();
}

}  // namespace rt::bridge
