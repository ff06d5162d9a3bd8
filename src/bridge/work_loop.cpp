// The bridge's workers: each runs tasks from the local queue or leads the intake (task_queue.hpp),
// and settles each task it ran.
#include "roundtable/bridge/bridge.hpp"

namespace rt::bridge {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kFetchWait{1000};  // the longest a leader waits for the intake before looking round
// The longest a completed task's ack waits for the worker's next task, whose arrival then wakes
// the worker for both (the stored result's confirmation has come by then).
constexpr milliseconds kConfirmationWait{5};
}  // namespace

// Leader/followers (task_queue.hpp): an idle worker runs a queued task, or leads the intake
// and runs the first task it brings. A leader that brought a single task keeps the lead through
// it until it would wait, and reads again straight after when it never had to.
// A worker does not wait for the stored result of its last task to be confirmed while another
// task is queued or comes within kConfirmationWait: the confirmation waits in its inbox, waking
// nobody, and is read on the way (before the next task waits for anything, or after it). It is
// read before this worker leads the intake or waits longer.
void Bridge::work_loop() {
  workers_running_++;
  bool leading = false;
  std::optional<Unconfirmed> unconfirmed;
  while (true) {
    std::optional<HeldTaskPtr> task;
    if (unconfirmed && !leading) task = queue_.try_pop();
    if (!task) {
      if (leading) settle_before_waiting(unconfirmed, leading);
      std::optional<milliseconds> finishing_within;
      if (unconfirmed) finishing_within = kConfirmationWait;
      auto [turn, popped] = queue_.pop_or_lead(std::exchange(leading, false), finishing_within);
      if (turn == PriorityQueue<HeldTaskPtr>::Turn::closed) break;
      if (turn == PriorityQueue<HeldTaskPtr>::Turn::none) {
        settle_before_waiting(unconfirmed, leading);
        continue;
      }
      task = std::move(popped);
      if (turn == PriorityQueue<HeldTaskPtr>::Turn::lead) {
        auto arrived = lead_intake(kFetchWait);
        leading = arrived.size() == 1;
        task = queue_.end_lead(std::move(arrived), leading);
        if (task) start_wanted_workers();  // with no task, this worker leads again itself
      }
    }
    if (task) unconfirmed = run_task(*task, leading, std::move(unconfirmed));
  }
  settle_before_waiting(unconfirmed, leading);
  {
    std::lock_guard lock(stop_mutex_);
    workers_running_--;
  }
  stop_cv_.notify_all();
}

std::optional<Bridge::Unconfirmed> Bridge::run_task(const HeldTaskPtr& task, bool& leading, std::optional<Unconfirmed> previous) {
  auto before_waiting = [&] {
    hand_over_lead(leading);
    settle(previous, false);  // a confirmation that has not come is waited for at the end
  };
  if (stopping_) {
    settle_before_waiting(previous, leading);
    hand_over_lead(leading);
    task->nak(milliseconds(0));
    release(task);
    return std::nullopt;
  }
  if (leading || previous) task->set_before_waiting(before_waiting);
  in_flight_++;
  auto completion = processor_->process(*task);
  in_flight_--;
  task->set_before_waiting(nullptr);
  settle_before_waiting(previous, leading);
  if (completion) {
    mark_unconfirmed();
    return Unconfirmed{task, std::move(completion)};
  }
  if (!task->settled()) task->nak(milliseconds(0));  // never leave a message hanging
  release(task);
  return std::nullopt;
}

void Bridge::hand_over_lead(bool& leading) {
  if (!std::exchange(leading, false)) return;
  queue_.pass_lead();
  start_wanted_workers();
}

// A confirmation read at once; one that has not come is waited for (and the result stored
// again if need be) only once the intake's lead, if kept, is handed over.
void Bridge::settle_before_waiting(std::optional<Unconfirmed>& unconfirmed, bool& leading) {
  settle(unconfirmed, false);
  if (!unconfirmed) return;
  hand_over_lead(leading);
  settle(unconfirmed, true);
}

void Bridge::settle(std::optional<Unconfirmed>& unconfirmed, bool may_retry) {
  if (!unconfirmed || !processor_->settle(*unconfirmed->task, *unconfirmed->completion, may_retry)) return;
  if (!unconfirmed->task->settled()) unconfirmed->task->nak(milliseconds(0));
  {
    std::lock_guard lock(held_mutex_);
    unconfirmed_--;
  }
  release(unconfirmed->task);
  unconfirmed.reset();
}

void Bridge::mark_unconfirmed() {
  {
    std::lock_guard lock(held_mutex_);
    unconfirmed_++;
  }
  slot_freed_.notify_all();
}

}  // namespace rt::bridge
