#pragma once
// Connections waiting for their next request, held by one poller thread instead of a worker
// each: an idle keep-alive client, a client that connected and sent nothing, a slow client
// still sending its request head. A connection goes back to the workers only once its whole
// request head has arrived; it is closed after the idle timeout, after the head timeout, when
// its head passes the cap, when too many are parked (oldest first), and at once on close_all().
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "roundtable/http/header_scanner.hpp"

namespace rt::http {

struct ParkedConnection {
  int fd = -1;
  std::string read_ahead;  // bytes received and not yet handed to httplib
  size_t served = 0;       // requests answered on this connection so far
};

struct ParkingLimits {
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  size_t max_header_bytes = 64 * 1024;
  size_t max_parked = 512;
};

class IdleConnections {
 public:
  using Ready = std::function<void(ParkedConnection)>;
  explicit IdleConnections(Ready on_ready);
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  // Starts the poller with these limits (httplib's keep-alive timeout is known only by now).
  void start(ParkingLimits limits);
  // Takes the connection; it comes back through on_ready (on the poller thread) once a whole
  // request head is in read_ahead, or is closed.
  void park(ParkedConnection connection);
  // Closes every parked connection and each one parked from now on; stops the poller.
  void close_all();
  size_t parked() const { return parked_count_.load(); }

 private:
  struct Entry {
    ParkedConnection connection;
    HeaderScanner head;
    std::chrono::steady_clock::time_point deadline;
    bool open = true;
  };
  enum class Outcome { waiting, ready, closed };

  void run();
  void admit(std::vector<ParkedConnection> incoming);
  Outcome receive(Entry& entry);
  Outcome classify(Entry& entry);
  void close_entry(Entry& entry, const char* response = nullptr);
  void wake();

  ParkingLimits limits_;
  Ready on_ready_;
  int wake_pipe_[2] = {-1, -1};
  std::mutex mutex_;
  std::vector<ParkedConnection> incoming_;
  bool closed_ = false;
  std::vector<Entry> entries_;  // poller thread only
  std::atomic<size_t> parked_count_{0};
  std::thread thread_;
};

// Shuts down and closes a connection we are done with.
void close_connection(int fd);

}  // namespace rt::http
