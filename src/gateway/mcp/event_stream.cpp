#include "roundtable/mcp/event_stream.hpp"

#include <algorithm>

#include "roundtable/mcp/sse_reader.hpp"
#include "roundtable/mcp/transport.hpp"

namespace rt::mcp {

EventStream::EventStream(std::string path, Hooks hooks, Logger logger)
    : path_(std::move(path)), hooks_(std::move(hooks)), logger_(std::move(logger)) {}

EventStream::~EventStream() { stop(); }

void EventStream::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void EventStream::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (active_) active_->stop();  // shuts the socket: a read in progress returns at once
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int EventStream::connect_once(bool& received) {
  auto client = hooks_.make_client();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return 0;
    active_ = client.get();
  }
  httplib::Request req;
  req.method = "GET";
  req.path = path_;
  req.headers = hooks_.headers();
  req.headers.erase("Accept");
  req.headers.emplace("Accept", "text/event-stream");
  int status = 0;
  SseReader sse(kMaxMessageBytes);
  req.response_handler = [&](const httplib::Response& res) {
    status = res.status;
    return status == 200 && !stopping_;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    for (const auto& event : sse.feed(std::string_view(data, size)))
      if (event.event == "message" && !event.data.empty()) {
        received = true;
        hooks_.on_data(event.data);
      }
    return !sse.failed() && !stopping_;
  };
  client->send(req);
  std::lock_guard lock(mutex_);
  active_ = nullptr;
  return status;
}

void EventStream::run() {
  int failures = 0;
  while (!stopping_) {
    bool received = false;
    int status = connect_once(received);
    if (status == 405) {
      logger_.info("mcp.event_stream_unsupported", {});
      return;
    }
    failures = status == 200 || received ? 0 : failures + 1;
    auto pause = std::chrono::seconds(1) * (1 << std::min(failures, 5));  // 1 s after a normal end, up to 32 s
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, pause, [&] { return stopping_.load(); });
  }
}

}  // namespace rt::mcp
