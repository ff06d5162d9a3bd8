#pragma once
// A progress line on stderr while a command waits; only when stderr is a terminal.
#include <atomic>
#include <string>
#include <thread>

namespace rt::cli {

class Spinner {
 public:
  explicit Spinner(std::string label);
  ~Spinner();  // stops and clears the line
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

 private:
  std::string label_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace rt::cli
