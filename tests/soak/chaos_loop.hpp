#pragma once
// A seeded, bounded fault schedule run on its own thread: each fault once in a seeded order,
// then faults drawn at random, until the action count or the time limit is reached.
#include <atomic>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace rt::soak {

struct Fault {
  std::string name;
  std::function<void()> run;  // injects the fault and repairs it before returning
};

struct ChaosRecord {
  std::string fault;
  double at_s = 0;     // since the run started
  double took_s = 0;
  std::string error;   // empty when the fault and its repair went through
};

struct ChaosLimits {
  uint32_t seed = 1;
  int max_actions = 6;
  std::chrono::milliseconds gap{1500};               // jittered between 0.5x and 1.5x
  std::chrono::steady_clock::time_point run_start;
  std::chrono::steady_clock::time_point until;       // no fault starts after this
};

class ChaosLoop {
 public:
  ChaosLoop(std::vector<Fault> faults, ChaosLimits limits);
  ~ChaosLoop();
  void start();
  // No new fault once each has run once; waits for the current one to be repaired.
  void stop();
  std::vector<ChaosRecord> records();
  nlohmann::json to_json();

 private:
  void run();
  void pause(std::chrono::milliseconds duration);
  std::vector<Fault> faults_;
  ChaosLimits limits_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<ChaosRecord> records_;
  std::thread thread_;
};

}  // namespace rt::soak
