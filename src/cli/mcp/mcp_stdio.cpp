// MCP over stdin/stdout, one JSON-RPC message per line.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "roundtable/cli/mcp/stdio_transport.hpp"

namespace rt::cli::mcp {

using nlohmann::json;
using jsonrpc::Kind;

StdioTransport::StdioTransport(Server& server, int in_fd, int out_fd, size_t max_calls, size_t max_line_bytes)
    : server_(server), in_fd_(in_fd), out_fd_(out_fd), max_calls_(max_calls), max_line_bytes_(max_line_bytes) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe for stdio shutdown");
}

StdioTransport::~StdioTransport() {
  {
    std::lock_guard lock(calls_mutex_);
    for (auto& call : calls_) call.cancelled->store(true);
  }
  reap(true);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void StdioTransport::stop() {
  char byte = 1;
  [[maybe_unused]] auto written = ::write(wake_[1], &byte, 1);
}

void StdioTransport::write(const json& message) {
  std::string line = wire_text(message) + "\n";
  std::lock_guard lock(write_mutex_);
  size_t done = 0;
  while (done < line.size()) {
    auto n = ::write(out_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client is gone; stdin's EOF ends the loop
    done += static_cast<size_t>(n);
  }
}

void StdioTransport::reap(bool all) {
  std::lock_guard lock(calls_mutex_);
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (all || it->finished->load()) {
      if (it->thread.joinable()) it->thread.join();
      it = calls_.erase(it);
    } else {
      ++it;
    }
  }
}

void StdioTransport::cancel(const std::string& id_key) {
  std::lock_guard lock(calls_mutex_);
  for (auto& call : calls_)
    if (call.id_key == id_key) call.cancelled->store(true);
}

void StdioTransport::start_call(const jsonrpc::Message& message) {
  reap(false);
  std::lock_guard lock(calls_mutex_);
  if (calls_.size() >= max_calls_) {
    write(jsonrpc::result_response(message.id, tool_error("busy: " + std::to_string(max_calls_) + " tool calls are running (--max-calls)")));
    return;
  }
  auto& call = calls_.emplace_back();
  call.id_key = Server::id_key(message.id);
  call.thread = std::thread([this, message, cancelled = call.cancelled, finished = call.finished] {
    Session scratch;  // a call reads nothing of the session; the reader thread owns it
    Notify notify = [this](const json& n) { write(n); };
    auto response = server_.handle(message, scratch, cancelled.get(), notify);
    // MCP: a request the client cancelled gets no response.
    if (response && !cancelled->load()) write(*response);
    finished->store(true);
  });
}

void StdioTransport::handle_line(const std::string& line) {
  auto message = jsonrpc::read_message(std::string_view(line));
  if (!message) {
    write(jsonrpc::error_response(message.failure().id, message.failure().error));
    return;
  }
  if (message->kind == Kind::notification) {
    if (auto key = Server::cancelled_request(*message); !key.empty()) return cancel(key);
    server_.handle(*message, session_, nullptr, {});
    return;
  }
  if (message->kind == Kind::response) return;
  if (message->method == "tools/call") return start_call(*message);
  if (auto response = server_.handle(*message, session_, nullptr, {})) write(*response);
}

void StdioTransport::run() {
  std::string pending;
  bool oversize = false;  // dropping the rest of a line longer than max_line_bytes
  char buffer[64 * 1024];
  bool stopped = false;
  for (;;) {
    reap(false);
    pollfd fds[2] = {{in_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) {
      stopped = true;
      break;
    }
    auto n = ::read(in_fd_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // EOF: the client is done
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      if (oversize) {
        oversize = false;
        write(jsonrpc::error_response(nullptr, {jsonrpc::kInvalidRequest, "message longer than " + std::to_string(max_line_bytes_) + " bytes", std::nullopt}));
        continue;
      }
      std::string line = pending.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) handle_line(line);
    }
    pending.erase(0, start);
    if (pending.size() > max_line_bytes_) {
      oversize = true;
      pending.clear();
    }
  }
  if (!stopped && !oversize && pending.find_first_not_of(" \t\r") != std::string::npos) handle_line(pending);
  // EOF lets running calls finish and answer (bounded by their deadlines); a stop, also one
  // that comes while they finish, cancels them.
  for (;;) {
    reap(false);
    {
      std::lock_guard lock(calls_mutex_);
      if (calls_.empty()) break;
      if (stopped)
        for (auto& call : calls_) call.cancelled->store(true);
    }
    pollfd wake{wake_[0], POLLIN, 0};
    if (::poll(&wake, 1, 100) > 0) stopped = true;
  }
}

}  // namespace rt::cli::mcp
