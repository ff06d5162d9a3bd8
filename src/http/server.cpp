#include "roundtable/http/server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "roundtable/common/log.hpp"
#include "roundtable/http/socket_stream.hpp"

namespace rt::http {

namespace {

// Accepted sockets are handed straight to the idle-connection poller on the accept thread.
class InlineQueue final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

template <typename Seconds, typename Micros>
std::chrono::milliseconds to_ms(Seconds sec, Micros usec) {
  return std::chrono::milliseconds(static_cast<long long>(sec) * 1000 + static_cast<long long>(usec) / 1000);
}

// A handler that throws still answers 500, as httplib would, but says why in the log: an
// exception out of a handler is a defect to find, not a status to guess at.
void answer_handler_exception(const httplib::Request& req, httplib::Response& res, std::exception_ptr thrown) {
  std::string what = "an exception that is not a std::exception";
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  Logger().error("http.handler_exception", {{"method", req.method}, {"path", req.path}, {"error", what}});
  res.status = 500;
}

}  // namespace

Server::Server(ServerLimits limits)
    : limits_(limits),
      idle_([this](ParkedConnection connection) { enqueue(std::move(connection)); },
            [this](std::string_view head, int status) { answered_while_parked(head, status); }) {
  new_task_queue = [] { return new InlineQueue; };
  set_payload_max_length(limits_.max_body_bytes);
  set_exception_handler(answer_handler_exception);
  set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (stopping_ && !res.has_header("Connection")) res.set_header("Connection", "close");
    if (on_answer_) on_answer_(req, res);
  });
}

Server::~Server() {
  stop();
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
  for (auto& connection : ready_) close_connection(connection.fd);
}

void Server::deepen_backlog() {
  // Linux takes a second listen() on a listening socket as a new backlog.
  socket_t sock = svr_sock_.load();
  if (sock != INVALID_SOCKET) ::listen(sock, limits_.listen_backlog);
}

bool Server::bind_to_port(const std::string& host, int port, int socket_flags) {
  if (!httplib::Server::bind_to_port(host, port, socket_flags)) return false;
  deepen_backlog();
  return true;
}

int Server::bind_to_any_port(const std::string& host, int socket_flags) {
  int port = httplib::Server::bind_to_any_port(host, socket_flags);
  if (port > 0) deepen_backlog();
  return port;
}

bool Server::listen(const std::string& host, int port, int socket_flags) {
  return bind_to_port(host, port, socket_flags) && listen_after_bind();
}

bool Server::listen_after_bind(std::chrono::milliseconds drain_timeout) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return true;
    idle_.start(ParkingLimits{std::chrono::seconds(keep_alive_timeout_sec_), limits_.header_timeout, limits_.max_header_bytes,
                              limits_.max_idle_connections, payload_max_length_});
    listening_ = true;  // workers start as connections need them (enqueue)
  }
  httplib::Server::listen_after_bind();  // returns once stop() closed the listening socket
  stop();
  std::unique_lock lock(mutex_);
  finishing_ = true;
  changed_.notify_all();
  if (!changed_.wait_for(lock, drain_timeout, [this] { return working_ == 0; })) return false;
  lock.unlock();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  return true;
}

void Server::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
  if (sock != INVALID_SOCKET) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  idle_.close_all();
}

// A request the parking stage refused (413, bad framing) is an answer like any other for on_answer.
void Server::answered_while_parked(std::string_view head, int status) {
  if (!on_answer_) return;
  httplib::Request req;
  std::string_view line = head.substr(0, head.find("\r\n"));
  size_t space = line.find(' ');
  req.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) {
    std::string_view target = line.substr(space + 1);
    req.target = std::string(target.substr(0, target.find(' ')));
    req.path = req.target.substr(0, req.target.find('?'));
  }
  httplib::Response res;
  res.status = status;
  on_answer_(req, res);
}

bool Server::process_and_close_socket(socket_t sock) {
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  ::fcntl(sock, F_SETFD, FD_CLOEXEC);  // skills run as child processes must not hold it open
  int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  idle_.park(ParkedConnection{sock, {}, 0});
  return true;
}

void Server::enqueue(ParkedConnection connection) {
  {
    std::lock_guard lock(mutex_);
    if (!finishing_ && add_worker_if_needed()) {
      ready_.push_back(std::move(connection));
      connection.fd = -1;
    }
  }
  if (connection.fd >= 0) close_connection(connection.fd);
  else changed_.notify_one();
}

// With mutex_ held, before a connection joins ready_. An idle knight holds no worker threads
// (their stacks and the time to start them at boot); they are started one by one as requests
// arrive at once, up to the limit, and then kept. False when no worker exists or can be started.
bool Server::add_worker_if_needed() {
  if (!listening_ || waiting_ > ready_.size() || workers_.size() >= limits_.workers) return !workers_.empty();
  try {
    workers_.emplace_back([this] { work(); });
    ++working_;
  } catch (const std::system_error&) {
    // No thread to be had now: the workers there are serve it.
  }
  return !workers_.empty();
}

void Server::work() {
  for (;;) {
    ParkedConnection connection;
    {
      std::unique_lock lock(mutex_);
      ++waiting_;
      changed_.wait(lock, [this] { return !ready_.empty() || finishing_; });
      --waiting_;
      if (ready_.empty()) {
        --working_;
        changed_.notify_all();
        return;
      }
      connection = std::move(ready_.front());
      ready_.pop_front();
    }
    serve(std::move(connection));
  }
}

void Server::serve(ParkedConnection connection) {
  StreamLimits limits{to_ms(read_timeout_sec_, read_timeout_usec_), to_ms(write_timeout_sec_, write_timeout_usec_),
                      limits_.max_header_bytes, framed_body_cap(payload_max_length_)};
  SocketStream stream(connection.fd, std::move(connection.read_ahead), limits);
  bool last = stopping_ || connection.served + 1 >= keep_alive_max_count_;
  bool closed_by_client = false;
  bool ok = process_request(stream, last, closed_by_client, nullptr);
  if (!ok || last || closed_by_client || stream.failed() || stopping_) {
    close_connection(connection.fd);
    return;
  }
  idle_.park(ParkedConnection{connection.fd, stream.take_read_ahead(), connection.served + 1});
}

}  // namespace rt::http
