#include "roundtable/cli/spinner.hpp"

#include <chrono>
#include <cstdio>

#include "roundtable/cli/cli.hpp"

namespace rt::cli {

Spinner::Spinner(std::string label) : label_(std::move(label)) {
  if (!stderr_is_terminal()) return;
  thread_ = std::thread([this] {
    static const char frames[] = "|/-\\";
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; !done_; ++i) {
      auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\r%c %s %.1fs ", frames[i % 4], label_.c_str(), seconds);
      std::fflush(stderr);
      // A redraw interval, not synchronisation: the destructor flips done_ and joins.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  });
}

Spinner::~Spinner() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace rt::cli
