#pragma once
// HTTP from the driver: a raw one-shot GET for readiness polls, and keep-alive POST loops.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stats.hpp"
#include "task_factory.hpp"

namespace httplib {
class Client;
}

namespace rt::bench {

// GET path on a fresh connection (Connection: close); the status, 0 when nothing answers.
int raw_get_status(int port, const std::string& path);

// Polls GET path about every millisecond until it answers 200; the time from `since` (the exec).
// A 404 on /readyz switches to /health at once (a server without a readiness route). nullopt on timeout.
std::optional<std::chrono::nanoseconds> time_until_ready(int port, std::string path, Steady::time_point since,
                                                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

struct PostLoop {
  double per_second = 0;  // requests completed / wall time
  double p50_us = 0;
  std::string first_body;  // the first answer, to check it is what was expected
};

// One keep-alive connection posting n tasks (each with a fresh id), one at a time.
class KeepAlivePoster {
 public:
  KeepAlivePoster(int port, std::string path);
  ~KeepAlivePoster();
  PostLoop run(TaskFactory& tasks, int n);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string path_;
  std::vector<int64_t> samples_;
};

}  // namespace rt::bench
