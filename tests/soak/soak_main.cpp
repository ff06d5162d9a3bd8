// make soak: tasks through two bridge + gateway replicas while a seeded chaos loop crashes and
// restarts them, takes the gateways away for twice the back-off budget, restarts nats-server
// on its store and redis-server. Counts come from ROUNDTABLE_RESULTS read back at the end.
// Exit 0 when lost = duplicated = dead-lettered = 0.
#include <cmath>
#include <fstream>
#include <iostream>
#include <thread>

#include "roundtable/contract/streams.hpp"
#include "soak/result_wait.hpp"
#include "soak/soak_fleet.hpp"
#include "soak/tally.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int run(const rt::soak::SoakSettings& settings) {
  auto run_dir = rt::testing::make_temp_dir("rt-soak");
  auto started = Clock::now();
  auto deadline = started + settings.timeout;
  std::cout << "soak: " << settings.tasks << " tasks at " << settings.rate << "/s, seed " << settings.seed << ", backoff "
            << settings.backoff << " x" << settings.max_deliver << " (budget " << settings.backoff_budget().count()
            << " ms), logs in " << run_dir.string() << std::endl;
  nlohmann::json report;
  rt::soak::Tally tally;
  {
    rt::soak::SoakFleet fleet(settings, run_dir);
    rt::soak::SoakBus bus(fleet.nats_url(), 1);
    fleet.start();
    rt::soak::ChaosLoop chaos(fleet.faults(), {settings.seed, settings.chaos_actions, settings.chaos_gap, started,
                                               started + settings.timeout / 2});
    chaos.start();
    auto gap = std::chrono::duration<double>(1.0 / settings.rate);
    size_t stored = 0;
    for (int i = 0; i < settings.tasks && Clock::now() < deadline; ++i) {
      std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(gap * i));
      if (bus.publish_task(i, deadline)) ++stored;
    }
    auto results = rt::soak::await_results(bus, deadline);
    chaos.stop();
    if (!results) results = rt::soak::await_results(bus, Clock::now() + 30s);  // the last read-back
    tally = rt::soak::count_results(bus.published(), results ? *results : decltype(results)::value_type{});
    tally.tasks = static_cast<size_t>(settings.tasks);
    tally.published = stored;
    tally.dead_lettered = bus.count_events("task.deadletter").value_or(0);
    tally.retrying = bus.count_events("task.retrying").value_or(0);
    tally.tasks_left = bus.stream_messages(rt::contract::kTasksStream);
    report = tally.to_json();
    report["llmCalls"] = fleet.llm_calls();
    report["chaos"] = chaos.to_json();
    if (!results) report["readBackFailed"] = true;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  report["seconds"] = std::round(seconds);
  report["seed"] = settings.seed;
  report["backoff"] = settings.backoff;
  report["maxDeliver"] = settings.max_deliver;
  report["outageMs"] = (2 * settings.backoff_budget() + 500ms).count();
  report["llmDelayMs"] = {settings.llm_min.count(), settings.llm_max.count()};
  bool passed = tally.passed();
  std::cout << "soak " << (passed ? "PASS" : "FAIL") << ": " << tally.summary() << " llm_calls=" << report["llmCalls"]
            << " chaos=" << report["chaos"].size() << " in " << std::lround(seconds) << "s" << std::endl;
  std::cout << "chaos: " << report["chaos"].dump() << std::endl;
  if (!passed) std::cout << "details: " << report.dump() << std::endl;
  if (!settings.report.empty()) std::ofstream(settings.report) << report.dump(2) << "\n";
  if (passed && !settings.keep_logs) fs::remove_all(run_dir);
  else std::cout << "logs kept in " << run_dir.string() << std::endl;
  return passed ? 0 : 1;
}

}  // namespace

int main() {
  try {
    return run(rt::soak::soak_settings_from_env({}));
  } catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << std::endl;
    return 2;
  }
}
