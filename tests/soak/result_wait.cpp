#include "soak/result_wait.hpp"

#include <thread>

#include "roundtable/contract/streams.hpp"

namespace rt::soak {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

bool all_answered(const std::vector<PublishedTask>& published, const StoredResults& results) {
  for (const auto& task : published)
    if (!results.contains(task.id)) return false;
  return true;
}

}  // namespace

std::optional<StoredResults> await_results(SoakBus& bus, Clock::time_point deadline) {
  std::optional<StoredResults> last;
  auto next_read = Clock::now();
  while (Clock::now() < deadline) {
    auto published = bus.published();
    auto stored = bus.stream_messages(contract::kResultsStream);
    // A full read-back only once the count says it may be complete (and at most every 5 s).
    if (stored && *stored >= published.size() && Clock::now() >= next_read) {
      if (auto results = bus.read_results()) {
        last = std::move(results);
        if (all_answered(published, *last)) return last;
      }
      next_read = Clock::now() + 5s;
    }
    std::this_thread::sleep_for(500ms);
  }
  if (auto results = bus.read_results()) last = std::move(results);
  return last;
}

}  // namespace rt::soak
