#pragma once
// An MCP server as a child process: newline-delimited JSON-RPC on its stdin and stdout, its
// stderr drained (so it never blocks on it) and counted, never logged (it may echo secrets). A reader thread matches responses to waiting
// requests by id and hands everything else to the MessageHandler; when the process ends, every
// waiting request fails at once and the process is reaped.
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "roundtable/common/log.hpp"
#include "roundtable/mcp/server_config.hpp"
#include "roundtable/mcp/transport.hpp"

namespace rt::mcp {

class StdioTransport final : public Transport {
 public:
  StdioTransport(ServerConfig config, MessageHandler on_message, Logger logger);
  ~StdioTransport() override;
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  Status open(Deadline deadline) override;
  bool is_open() const override { return running_; }
  Result<jsonrpc::Message> request(const nlohmann::json& message, Deadline deadline) override;
  Status notify(const nlohmann::json& message, Deadline deadline) override;
  void close() override;

 private:
  void read_loop();
  void take_stdout(std::string& buffer, bool& skipping);
  void handle_line(std::string_view line);
  void finish(const std::string& why);
  Status write_line(const std::string& text, Deadline deadline);
  void close_fds();

  ServerConfig config_;
  MessageHandler on_message_;
  Logger logger_;
  std::mutex mutex_;  // pending_, running_ changes
  std::condition_variable answered_;
  std::map<int64_t, std::optional<Result<jsonrpc::Message>>> pending_;  // id -> answer, once it came
  std::timed_mutex write_mutex_;  // stdin_fd_, pid_ (with mutex_ when set)
  int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1;
  int wake_[2] = {-1, -1};
  pid_t pid_ = -1;
  std::atomic<bool> running_{false};
  std::thread reader_;
  size_t stderr_bytes_ = 0;  // the reader thread's
};

}  // namespace rt::mcp
