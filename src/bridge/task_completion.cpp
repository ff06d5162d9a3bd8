// Settling a completed task: the stream's confirmation of its result, then the ack (complete()
// in task_processor.cpp sends the result), and storing a result again within the duplicate window.
#include <thread>

#include "roundtable/bridge/bridge_metrics.hpp"
#include "roundtable/bridge/task_processor.hpp"

namespace rt::bridge {

namespace {
constexpr std::chrono::minutes kResultRetryWindow{2};  // the results stream's duplicate window
}  // namespace

bool TaskProcessor::settle(HeldTask& task, DeferredCompletion& completion, bool may_retry) {
  if (completion.result.ack) {
    auto confirmed = outbox_.confirm_result(completion.result);
    if (confirmed) {
      finish_completed(task, completion);
      return true;
    }
    logger_.warn("result.publish_failed", {{"task_id", completion.result.task_id}, {"error", confirmed.error().message}});
  }
  if (!may_retry) return false;
  // Stopping: the confirmation's wait was the one attempt a stopping bridge makes (store_outgoing).
  if (!stopping_ && store_outgoing(task, completion.result)) finish_completed(task, completion);
  else task.nak(retry_delay(task.attempt(), std::nullopt));
  return true;
}

void TaskProcessor::finish_completed(HeldTask& task, const DeferredCompletion& completion) {
  dedup_.mark_done(completion.result.task_id);
  task.ack();
  count(outcome::completed);
  logger_.info("task.completed", {{"task_id", completion.result.task_id}, {"task", completion.task_name}, {"attempt", task.attempt()},
                                  {"duration_ms", completion.duration_ms}});
}

bool TaskProcessor::store_result(HeldTask& task, const TaskRef& ref, std::string_view result_type, const nlohmann::json& payload) {
  auto outgoing = outbox_.prepare_result(ref, result_type, payload);
  if (!outgoing) {
    logger_.error("result.unsendable", {{"task_id", ref.id.value_or("")}, {"error", outgoing.error().message}});
    return false;
  }
  return store_outgoing(task, *outgoing);
}

// Sends (again) and waits for the confirmation, retrying within the duplicate window so that a
// retry can never store it twice; the intake's lead is handed over before the first pause.
bool TaskProcessor::store_outgoing(HeldTask& task, OutgoingResult& result) {
  auto give_up_at = clock_.steady_now() + kResultRetryWindow;
  auto pause = std::chrono::milliseconds(100);
  while (true) {
    auto status = outbox_.send_result(result);
    if (status) status = outbox_.confirm_result(result);
    if (status) return true;
    logger_.warn("result.publish_failed", {{"task_id", result.task_id}, {"error", status.error().message}});
    if (stopping_ || clock_.steady_now() + pause >= give_up_at) return false;
    task.before_waiting();
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace rt::bridge
