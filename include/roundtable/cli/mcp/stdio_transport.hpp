#pragma once
// MCP over stdio: newline-delimited JSON-RPC on stdin and stdout (stdout carries nothing else;
// logs go to stderr). Tool calls run on their own threads, so ping and cancellation are answered
// while a call waits. Ends on stdin EOF or stop(): running calls are cancelled and joined.
#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "roundtable/cli/mcp/server.hpp"

namespace rt::cli::mcp {

class StdioTransport {
 public:
  // At most max_calls tool calls wait at once; more are answered busy at once.
  StdioTransport(Server& server, int in_fd, int out_fd, size_t max_calls, size_t max_line_bytes = 4 * 1024 * 1024);
  ~StdioTransport();
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;
  // Serves until EOF or stop().
  void run();
  // From any thread (a signal-waiting one): run() returns soon after.
  void stop();

 private:
  struct Call {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);
    std::string id_key;
  };
  void handle_line(const std::string& line);
  void start_call(const jsonrpc::Message& message);
  void cancel(const std::string& id_key);
  void reap(bool all);
  void write(const nlohmann::json& message);

  Server& server_;
  int in_fd_, out_fd_;
  size_t max_calls_, max_line_bytes_;
  int wake_[2] = {-1, -1};
  Session session_;  // one client per process
  std::mutex write_mutex_;
  std::mutex calls_mutex_;
  std::list<Call> calls_;
};

}  // namespace rt::cli::mcp
