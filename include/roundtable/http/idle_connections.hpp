#pragma once
// Connections waiting for their next request, held by one poller thread instead of a worker
// each: an idle keep-alive client, a client that connected and sent nothing, a slow client
// still sending its request head or body. A connection goes back to the workers only once its
// whole request (head and body) has arrived; it is closed after the idle timeout, after the
// request timeout, when its head passes the cap (431), when its body would (413), when its
// framing is ambiguous (400), when too many are parked (oldest first), and at once on close_all().
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "roundtable/http/header_scanner.hpp"
#include "roundtable/http/request_framing.hpp"

namespace rt::http {

struct ParkedConnection {
  int fd = -1;
  std::string read_ahead;  // bytes received and not yet handed to httplib
  size_t served = 0;       // requests answered on this connection so far
};

struct ParkingLimits {
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  // the whole request, from its first byte
  size_t max_header_bytes = 64 * 1024;
  size_t max_parked = 512;
  size_t max_body_bytes = 1 << 20;
  // Bodies waited for here, all connections together: past it a request whose head is in goes
  // to a worker to be read there, as before, so many slow bodies cannot fill the memory.
  size_t max_buffered_bytes = 16 << 20;
};

class IdleConnections {
 public:
  using Ready = std::function<void(ParkedConnection)>;
  // Told of each request refused while parked (its head, the status sent), on the poller thread.
  using Refused = std::function<void(std::string_view head, int status)>;
  explicit IdleConnections(Ready on_ready, Refused on_refused = nullptr);
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
    std::optional<Framing> framing;  // read once the head is complete
    std::optional<ChunkedBody> chunked;
    size_t body_fed = 0;  // bytes after the head given to `chunked`
    size_t discard = 0;   // refused (400, 413): bytes still read and dropped before closing
  };
  enum class Outcome { waiting, ready, closed };

  void run();
  void admit(std::vector<ParkedConnection> incoming);
  Outcome receive(Entry& entry);
  Outcome classify(Entry& entry);
  Outcome classify_body(Entry& entry);
  void close_entry(Entry& entry, const char* response = nullptr);
  void refused(const Entry& entry, int status);
  Outcome refuse_body(Entry& entry);
  Outcome refuse_framing(Entry& entry);
  Outcome answer_and_linger(Entry& entry, std::string_view answer, size_t discard);
  Outcome discard_body(Entry& entry);
  void wake();

  ParkingLimits limits_;
  Ready on_ready_;
  Refused on_refused_;
  int wake_pipe_[2] = {-1, -1};
  std::mutex mutex_;
  std::vector<ParkedConnection> incoming_;
  bool closed_ = false;
  std::vector<Entry> entries_;  // poller thread only
  size_t buffered_ = 0;         // bytes held by entries_ at the start of this turn (poller thread only)
  std::atomic<size_t> parked_count_{0};
  std::thread thread_;
};

// Shuts down and closes a connection we are done with.
void close_connection(int fd);

}  // namespace rt::http
