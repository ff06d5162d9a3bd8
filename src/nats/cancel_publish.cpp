#include "roundtable/nats/cancel_publish.hpp"

#include "roundtable/contract/subjects.hpp"

namespace rt::nats {

Result<PublishAck> publish_cancel(JetStream& js, const std::string& fleet, const std::string& from, const contract::CancelRequest& cancel) {
  auto subject = contract::cancel_subject(fleet, cancel.task_id);
  if (!subject) return subject.error();
  auto envelope = contract::make_cancel_envelope(cancel, from, fleet);
  // One message id per task: a cancel repeated within the duplicate window is stored once.
  return js.publish(*subject, contract::serialize(envelope), "cancel-" + cancel.task_id);
}

}  // namespace rt::nats
