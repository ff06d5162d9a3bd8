#pragma once
// Server-sent events to the dashboard's browsers: each client has a bounded queue of frames; a
// client that falls behind by more than max_queue frames is dropped (the browser reconnects and
// starts over from a snapshot), and at most max_clients are served at once.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rt::cli::dashboard {

class SseHub {
 public:
  struct Limits {
    size_t max_clients = 8;
    size_t max_queue = 512;
    std::chrono::milliseconds keepalive{std::chrono::seconds(15)};
  };
  struct Client {
    std::deque<std::string> frames;
    bool dropped = false;
  };

  explicit SseHub(Limits limits) : limits_(limits) {}
  // A new client whose queue starts with `first`; nullptr when max_clients are connected or
  // the hub is closed.
  std::shared_ptr<Client> join(const std::string& first);
  void leave(const std::shared_ptr<Client>& client);
  // Queues "event: <event>\ndata: <data>\n\n" for every client (data must hold no newline).
  void broadcast(const std::string& event, const std::string& data);
  // The client's queued frames, waiting up to keepalive for one; "" after a quiet keepalive
  // period. False when the client was dropped or the hub closed.
  bool next(Client& client, std::string& frames);
  // Ends every stream (before the HTTP server stops).
  void close();
  size_t clients() const;
  static std::string frame(const std::string& event, const std::string& data);

 private:
  Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<Client>> clients_;
  bool closed_ = false;
};

}  // namespace rt::cli::dashboard
