#include "roundtable/bridge/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

#include "roundtable/bridge/task_queue.hpp"

namespace rt::bridge {
namespace {

using contract::Priority;
using Queue = PriorityQueue<std::string>;

TEST(WorkerPool, StartsNoMoreThanItsLimitAndNoneOnceClosed) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(3, [&] { ran++; });
    pool.add();
    pool.add(5);
    pool.close_and_join();
    EXPECT_EQ(ran.load(), 3);
    pool.add(2);
  }
  EXPECT_EQ(ran.load(), 3);
}

TEST(PriorityQueue, WantsAWorkerPerQueuedTaskAndOneForAFreeLeadLessThoseWaiting) {
  Queue queue;
  EXPECT_EQ(queue.workers_wanted(), 1u) << "nobody leads";
  ASSERT_EQ(queue.pop_or_lead().first, Queue::Turn::lead);
  EXPECT_EQ(queue.workers_wanted(), 0u) << "led, nothing queued";
  queue.end_lead({{Priority::normal, "a"}, {Priority::normal, "b"}, {Priority::normal, "c"}});
  EXPECT_EQ(queue.workers_wanted(), 3u) << "two queued and the lead is free";

  auto waiting = std::async(std::launch::async, [&] { return queue.pop_or_lead(); });
  EXPECT_EQ(waiting.get().first, Queue::Turn::task);
  EXPECT_EQ(queue.workers_wanted(), 2u);
  queue.stop_leading();
  queue.close();
  EXPECT_EQ(queue.workers_wanted(), 1u) << "one task left, no lead any more";
}

}  // namespace
}  // namespace rt::bridge
