#pragma once
// cpp-httplib's Server with the limits a server facing untrusted clients needs:
// - idle connections (keep-alive between requests, or silent after connecting) wait in one
//   poller thread (IdleConnections), never in a worker, so probes are answered however many
//   clients idle, and stop() does not wait for them;
// - the request head is capped (size, and so header count) and must arrive within a timeout,
//   before any handler or auth runs;
// - a deep listen backlog, so a burst of connections is queued rather than reset;
// - stop() works from any thread at any time, also before the listen loop started; requests in
//   progress finish and answer with Connection: close.
// httplib's own thread pool is not used: new_task_queue must not be replaced.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "roundtable/http/idle_connections.hpp"

namespace rt::http {

struct ServerLimits {
  size_t workers = 4;                  // requests handled at once (threads started as needed)
  size_t max_header_bytes = 64 * 1024;  // request line + headers
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  size_t max_idle_connections = 512;  // beyond it the longest idle is closed
  int listen_backlog = 1024;
  size_t max_body_bytes = 1 << 20;  // the initial set_payload_max_length: a longer body gets 413 unread
};

class Server : public httplib::Server {
 public:
  explicit Server(ServerLimits limits = {});
  ~Server() override;

  bool bind_to_port(const std::string& host, int port, int socket_flags = 0);
  int bind_to_any_port(const std::string& host, int socket_flags = 0);
  // Serves until stop(), then lets requests in progress finish for up to drain_timeout.
  // False when some were still running at the deadline (their threads are left running: the
  // caller should then exit the process rather than destroy the server).
  bool listen_after_bind(std::chrono::milliseconds drain_timeout = std::chrono::hours(24));
  bool listen(const std::string& host, int port, int socket_flags = 0);
  void stop();
  bool stopping() const { return stopping_.load(); }
  // Called with every answer just before it is written (set before listening): what it records
  // is there for a client that reads the answer and at once asks again on another connection,
  // which httplib's logger, called after the write, does not promise.
  void on_answer(std::function<void(const httplib::Request&, const httplib::Response&)> hook) { on_answer_ = std::move(hook); }
  size_t idle_connections() const { return idle_.parked(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  void answered_while_parked(std::string_view head, int status);
  void deepen_backlog();
  void work();
  void serve(ParkedConnection connection);
  void enqueue(ParkedConnection connection);
  bool add_worker_if_needed();

  ServerLimits limits_;
  std::function<void(const httplib::Request&, const httplib::Response&)> on_answer_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ParkedConnection> ready_;
  bool finishing_ = false;
  bool listening_ = false;  // listen_after_bind has begun: workers may start
  size_t working_ = 0;      // workers not yet exited
  size_t waiting_ = 0;      // workers waiting for a connection
  std::vector<std::thread> workers_;
  // Last, so it is destroyed first: its poller hands connections to enqueue() until joined.
  IdleConnections idle_;
};

}  // namespace rt::http
