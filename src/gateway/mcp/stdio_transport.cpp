#include "roundtable/mcp/stdio_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "roundtable/common/json_parse.hpp"
#include "roundtable/gateway/skill_processes.hpp"

namespace rt::mcp {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int millis_until(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 60'000));
}

std::string exit_description(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

// Between fork and exec: async-signal-safe calls only. On failure, errno goes to `report`.
[[noreturn]] void exec_server(int in, int out, int err, int report, const char* dir, char* const* argv, char* const* envp) {
  ::setpgid(0, 0);  // its own group: stopping it stops what it started
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::dup2(in, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  constexpr int kReport = STDERR_FILENO + 1;
  if (report != kReport && ::dup3(report, kReport, O_CLOEXEC) != kReport) ::_exit(126);
  ::close_range(kReport + 1, ~0U, 0);  // the gateway's sockets and files stay the gateway's
  int error = 0;
  if (::chdir(dir) != 0) error = errno;
  else ::execve(argv[0], argv, envp);
  if (!error) error = errno;
  ssize_t sent = ::write(kReport, &error, sizeof error);
  (void)sent;
  ::_exit(127);
}

}  // namespace

StdioTransport::StdioTransport(ServerConfig config, MessageHandler on_message, Logger logger)
    : config_(std::move(config)), on_message_(std::move(on_message)), logger_(std::move(logger)) {}

StdioTransport::~StdioTransport() { close(); }

Status StdioTransport::open(Deadline) {
  close();
  int in[2], out[2], err[2], report[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return make_error(ErrorCode::unavailable, "cannot create pipes");
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], report[0], report[1]}) ::close(fd);
    return make_error(ErrorCode::unavailable, "cannot create pipes");
  }
  std::vector<std::string> args = config_.command, env{"PATH=" + config_.path_env, "HOME=" + config_.cwd.string(), "LANG=C.UTF-8", "TZ=UTC"};
  for (const auto& [name, value] : config_.env) env.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  for (auto& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  std::string dir = config_.cwd.string();
  auto& processes = gateway::SkillProcesses::of_this_process();
  pid_t pid = processes.fork_skill([&] { exec_server(in[0], out[1], err[1], report[1], dir.c_str(), argv.data(), envp.data()); });
  for (int fd : {in[0], out[1], err[1], report[1]}) ::close(fd);
  int exec_error = 0;
  ssize_t got = 0;
  if (pid > 0) {
    ::setpgid(pid, pid);
    while ((got = ::read(report[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
    }
  }
  ::close(report[0]);
  if (pid < 0 || got > 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    if (pid > 0) {
      ::waitpid(pid, nullptr, 0);
      processes.release(pid);
    }
    close_fd(wake_[0]);
    close_fd(wake_[1]);
    std::string why = pid < 0 ? "fork failed" : std::strerror(exec_error);
    return make_error(ErrorCode::unavailable, "cannot start " + config_.command[0] + ": " + why);
  }
  for (int fd : {in[1], out[0], err[0]}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  {
    std::scoped_lock lock(write_mutex_, mutex_);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
    pid_ = pid;
    running_ = true;
  }
  stderr_bytes_ = 0;
  logger_.info("mcp.server_started", {{"server", config_.name}, {"pid", pid}});
  reader_ = std::thread([this] { read_loop(); });
  return {};
}

void StdioTransport::read_loop() {
  std::string buffer;
  bool skipping = false, err_open = true;
  std::string why = "closed its output";
  char chunk[65536];
  for (;;) {
    pollfd fds[3] = {{stdout_fd_, POLLIN, 0}, {err_open ? stderr_fd_ : -1, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      why = "poll failed";
      break;
    }
    if (fds[2].revents) {
      why = "stopped";
      break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(stderr_fd_, chunk, sizeof chunk);
      if (n > 0) stderr_bytes_ += static_cast<size_t>(n);
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) err_open = false;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
      if (n > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        take_stdout(buffer, skipping);
      }
    }
  }
  finish(why);
}

// Complete lines are messages; a line past kMaxMessageBytes is dropped to its end, and since
// its id cannot be known, every waiting request fails.
void StdioTransport::take_stdout(std::string& buffer, bool& skipping) {
  size_t start = 0;
  for (size_t end; (end = buffer.find('\n', start)) != std::string::npos; start = end + 1) {
    if (!skipping) handle_line(std::string_view(buffer).substr(start, end - start));
    skipping = false;
  }
  buffer.erase(0, start);
  if (buffer.size() <= kMaxMessageBytes) return;
  buffer.clear();
  if (skipping) return;
  skipping = true;
  logger_.warn("mcp.message_too_large", {{"server", config_.name}, {"max_bytes", kMaxMessageBytes}});
  std::lock_guard lock(mutex_);
  for (auto& [id, answer] : pending_)
    if (!answer) answer = Result<jsonrpc::Message>(make_error(ErrorCode::invalid_params, "the server sent a message over " + std::to_string(kMaxMessageBytes) + " bytes"));
  answered_.notify_all();
}

void StdioTransport::handle_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  auto value = parse_json_bounded(line, {.max_depth = kMaxMessageDepth, .max_bytes = kMaxMessageBytes});
  if (!value) {
    logger_.warn("mcp.bad_output", {{"server", config_.name}, {"bytes", line.size()}, {"error", value.error().message}});
    return;
  }
  auto message = jsonrpc::read_message(*value);
  if (!message) {
    logger_.warn("mcp.bad_message", {{"server", config_.name}, {"error", message.failure().error.message}});
    const json& id = message.failure().id;
    std::lock_guard lock(mutex_);
    if (id.is_number_integer())
      if (auto it = pending_.find(id.get<int64_t>()); it != pending_.end() && !it->second)
        it->second = Result<jsonrpc::Message>(make_error(ErrorCode::invalid_params, "the server's answer is not JSON-RPC: " + message.failure().error.message));
    answered_.notify_all();
    return;
  }
  if (message->kind == jsonrpc::Kind::response) {
    std::lock_guard lock(mutex_);
    if (message->id.is_number_integer())
      if (auto it = pending_.find(message->id.get<int64_t>()); it != pending_.end() && !it->second) it->second = Result<jsonrpc::Message>(*message);
    answered_.notify_all();
    return;
  }
  if (message->kind == jsonrpc::Kind::request) {
    // The client declares no capabilities, so only ping is ours to answer.
    json reply = message->method == "ping"
                     ? jsonrpc::result_response(message->id, json::object())
                     : jsonrpc::error_response(message->id, {jsonrpc::kMethodNotFound, "not supported by this client", std::nullopt});
    auto sent = write_line(reply.dump(), Steady::now() + std::chrono::seconds(1));
    (void)sent;
    return;
  }
  if (on_message_) on_message_(*message);
}

void StdioTransport::finish(const std::string& why) {
  ::kill(-pid_, SIGKILL);
  int status = 0;
  std::string reason = why;
  if (::waitpid(pid_, &status, 0) == pid_) reason = exit_description(status);
  gateway::SkillProcesses::of_this_process().release(pid_);
  logger_.warn("mcp.server_exited", {{"server", config_.name}, {"pid", pid_}, {"reason", reason}, {"stderr_bytes", stderr_bytes_}});
  std::lock_guard lock(mutex_);
  running_ = false;
  for (auto& [id, answer] : pending_)
    if (!answer) answer = Result<jsonrpc::Message>(make_error(ErrorCode::unavailable, "the server " + reason));
  answered_.notify_all();
}

Status StdioTransport::write_line(const std::string& text, Deadline deadline) {
  // Timed: a writer stuck on a server that stopped reading must not hold the others past their deadlines.
  std::unique_lock lock(write_mutex_, deadline);
  if (!lock.owns_lock()) return make_error(ErrorCode::timeout, "the server does not read its input");
  if (stdin_fd_ < 0 || !running_) return make_error(ErrorCode::io_error, "the server is not running");
  std::string line = text + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = gateway::write_without_sigpipe(stdin_fd_, line.data() + written, line.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return make_error(written ? ErrorCode::unavailable : ErrorCode::io_error, std::string("cannot write to the server: ") + std::strerror(errno));
    pollfd fd{stdin_fd_, POLLOUT, 0};
    int left = millis_until(deadline);
    if (left == 0 || ::poll(&fd, 1, left) == 0) {
      if (written == 0) return make_error(ErrorCode::timeout, "the server does not read its input");
      ::kill(-pid_, SIGKILL);  // half a message is on its stdin: it cannot be used again
      return make_error(ErrorCode::unavailable, "the server stopped reading its input mid-message");
    }
  }
  return {};
}

Result<jsonrpc::Message> StdioTransport::request(const json& message, Deadline deadline) {
  const int64_t id = message.at("id").get<int64_t>();
  {
    std::lock_guard lock(mutex_);
    if (!running_) return make_error(ErrorCode::io_error, "the server is not running");
    pending_[id].reset();
  }
  auto written = write_line(message.dump(-1, ' ', false, json::error_handler_t::replace), deadline);
  std::unique_lock lock(mutex_);
  auto it = pending_.find(id);
  if (!written) {
    pending_.erase(it);
    return written.error();
  }
  answered_.wait_until(lock, deadline, [&] { return it->second.has_value(); });
  auto answer = std::move(it->second);
  pending_.erase(it);
  if (!answer) return make_error(ErrorCode::timeout, "no answer by the deadline");
  return std::move(*answer);
}

Status StdioTransport::notify(const json& message, Deadline deadline) {
  return write_line(message.dump(-1, ' ', false, json::error_handler_t::replace), deadline);
}

void StdioTransport::close() {
  if (reader_.joinable()) {
    // The polite stop for a stdio server: end of input, then SIGTERM (a writer blocked on a
    // full pipe keeps stdin open; the signal ends its wait).
    if (std::unique_lock lock(write_mutex_, std::chrono::milliseconds(100)); lock.owns_lock()) close_fd(stdin_fd_);
    if (running_) {
      ::kill(-pid_, SIGTERM);
      std::unique_lock lock(mutex_);
      answered_.wait_for(lock, std::chrono::seconds(2), [&] { return !running_; });
    }
    if (running_) {
      ssize_t woke = ::write(wake_[1], "x", 1);
      (void)woke;
    }
    reader_.join();
  }
  close_fds();
}

void StdioTransport::close_fds() {
  std::lock_guard lock(write_mutex_);
  for (int* fd : {&stdin_fd_, &stdout_fd_, &stderr_fd_, &wake_[0], &wake_[1]}) close_fd(*fd);
}

}  // namespace rt::mcp
