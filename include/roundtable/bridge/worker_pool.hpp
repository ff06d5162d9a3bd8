#pragma once
// The bridge's workers, started on demand up to MAX_CONCURRENCY: an idle bridge runs one, and
// more start when tasks, or a lead handed over by a busy worker, find no idle worker
// (docs/performance.md, change 18).
// Each idle thread costs its stack's pages; an idle sidecar needs one.
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rt::bridge {

class WorkerPool {
 public:
  WorkerPool(int limit, std::function<void()> body) : limit_(limit), body_(std::move(body)) {}
  ~WorkerPool() { close_and_join(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts up to `count` more workers, never more than the limit in all, none once closed.
  // Thread-safe: workers call it themselves.
  void add(size_t count = 1);
  // No worker starts any more; returns once those that did have returned.
  void close_and_join();

 private:
  mutable std::mutex mutex_;
  std::vector<std::thread> threads_;
  const int limit_;
  const std::function<void()> body_;
  bool closed_ = false;
};

}  // namespace rt::bridge
