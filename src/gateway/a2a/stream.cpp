// SendStreamingMessage and SubscribeToTask: Server-Sent Events, each a JSON-RPC response whose
// result is a StreamResponse (task, statusUpdate, artifactUpdate); the stream ends after the
// task's final status.
#include <httplib.h>

#include "roundtable/gateway/a2a/service.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::gateway::a2a {

using nlohmann::json;
using jsonrpc::RpcError;

namespace {

constexpr auto kKeepAlive = std::chrono::seconds(5);  // also how soon a subscriber sees the server stopping

void reply_error(httplib::Response& res, const json& id, const RpcError& error, int status = 200) {
  res.status = status;
  res.set_content(llm::wire_text(jsonrpc::error_response(id, error)), "application/json");
}

// Writes events of one task to one client; stops writing (not working) once the client is gone.
class EventWriter {
 public:
  EventWriter(httplib::DataSink& sink, json request_id) : sink_(sink), request_id_(std::move(request_id)) {}
  void event(const json& stream_response) {
    write("data: " + llm::wire_text(jsonrpc::result_response(request_id_, stream_response)) + "\n\n");
  }
  void keep_alive() { write(": keep-alive\n\n"); }
  bool open() const { return open_; }

 private:
  void write(const std::string& text) {
    if (open_) open_ = sink_.write(text.data(), text.size());
  }
  httplib::DataSink& sink_;
  json request_id_;
  bool open_ = true;
};

}  // namespace

void Service::stream_message(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res) {
  auto request = read_send_request(call.params);
  if (auto* error = std::get_if<RpcError>(&request)) return reply_error(res, call.id, *error);
  auto& send = std::get<SendRequest>(request);
  auto slot = deps_.enter();
  if (!slot) {
    res.set_header("Retry-After", "1");
    return reply_error(res, call.id, {jsonrpc::kInternalError, busy_message(), json{{"retryAfterSeconds", 1}}}, 503);
  }
  auto opened = open_task(send);
  if (auto* error = std::get_if<RpcError>(&opened)) return reply_error(res, call.id, *error);
  struct Work {
    std::string task_id;
    Conversation conversation;
    WorkSlots::Slot slot;
  };
  const std::string task_id = std::get<std::string>(opened);
  auto work = std::make_shared<Work>(Work{task_id, conversation_for(task_id, send, req), std::move(slot)});
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, work, id = call.id](size_t, httplib::DataSink& sink) {
        EventWriter writer(sink, id);
        auto snapshot = store_.snapshot(work->task_id);
        if (!snapshot) {
          sink.done();
          return true;
        }
        writer.event({{"task", snapshot->task}});
        uint64_t next = snapshot->next_event;
        std::mutex write_mutex;  // progress may come from a tool's own threads
        auto flush = [&] {
          std::lock_guard lock(write_mutex);
          auto events = store_.wait_events(work->task_id, next, std::chrono::milliseconds(0));
          for (const auto& event : events.events) writer.event(event);
          next = events.next;
        };
        execute(work->task_id, std::move(work->conversation), std::move(work->slot), flush);
        flush();
        sink.done();
        return true;
      },
      // The provider never ran (the client left first): the task must not stay submitted.
      [this, work](bool) { store_.fail(work->task_id, "the stream closed before the task started", {{"error", "internal_error"}}); });
}

void Service::subscribe(const jsonrpc::Message& call, httplib::Response& res) {
  auto query = read_task_query(call.params);
  if (auto* error = std::get_if<RpcError>(&query)) return reply_error(res, call.id, *error);
  const std::string task_id = std::get<TaskQuery>(query).id;
  auto snapshot = store_.snapshot(task_id);
  if (!snapshot) return reply_error(res, call.id, {kTaskNotFound, "task " + task_id + " not found (never created, or forgotten)", std::nullopt});
  if (snapshot->terminal)
    return reply_error(res, call.id, {kUnsupportedOperation, "task " + task_id + " has finished: GetTask returns it", std::nullopt});
  // Each subscriber holds a server thread while it waits: at most as many as work slots.
  if (subscribers_.fetch_add(1) >= deps_.max_concurrency) {
    --subscribers_;
    res.set_header("Retry-After", "1");
    return reply_error(res, call.id, {jsonrpc::kInternalError, "too many subscribers; poll with GetTask", json{{"retryAfterSeconds", 1}}}, 503);
  }
  auto count = std::shared_ptr<void>(nullptr, [this](void*) { --subscribers_; });
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider("text/event-stream", [this, count, task_id, id = call.id, first = *snapshot](size_t, httplib::DataSink& sink) {
    EventWriter writer(sink, id);
    writer.event({{"task", first.task}});
    uint64_t next = first.next_event;
    while (writer.open() && !(deps_.stopping && deps_.stopping())) {
      auto events = store_.wait_events(task_id, next, kKeepAlive);
      if (!events.found) break;
      for (const auto& event : events.events) writer.event(event);
      next = events.next;
      if (events.terminal) break;
      if (events.events.empty()) writer.keep_alive();
    }
    sink.done();
    return true;
  });
}

}  // namespace rt::gateway::a2a
