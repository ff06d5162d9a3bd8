#pragma once
// The GET event stream a Streamable HTTP MCP server may offer for messages it sends on its own
// (notifications/tools/list_changed among them). A background thread holds it open, hands each
// event's data on, reconnects after the server ends it or a read times out (a pause that grows
// while it keeps failing), and gives up for good on 405 (the server offers no such stream).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>

#include "roundtable/common/log.hpp"

namespace rt::mcp {

class EventStream {
 public:
  struct Hooks {
    std::function<std::unique_ptr<httplib::Client>()> make_client;
    std::function<httplib::Headers()> headers;  // the session's, read before each connection
    std::function<void(const std::string& data)> on_data;
  };
  EventStream(std::string path, Hooks hooks, Logger logger);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void start();  // once; later calls do nothing
  void stop();   // ends the connection at once and joins the thread

 private:
  void run();
  // One connection, until it ends; the HTTP status (0: none).
  int connect_once(bool& received);

  std::string path_;
  Hooks hooks_;
  Logger logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  httplib::Client* active_ = nullptr;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace rt::mcp
