#include "soak/chaos_loop.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <random>

namespace rt::soak {

using Clock = std::chrono::steady_clock;

ChaosLoop::ChaosLoop(std::vector<Fault> faults, ChaosLimits limits) : faults_(std::move(faults)), limits_(limits) {}

ChaosLoop::~ChaosLoop() { stop(); }

void ChaosLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void ChaosLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ChaosLoop::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void ChaosLoop::run() {
  std::mt19937 random(limits_.seed);
  std::vector<size_t> order(faults_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  std::uniform_int_distribution<size_t> any(0, faults_.empty() ? 0 : faults_.size() - 1);
  for (int action = 0; action < limits_.max_actions && !faults_.empty(); ++action) {
    bool first_round = static_cast<size_t>(action) < order.size();
    if (!stopping_) pause(std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(limits_.gap.count()) * jitter(random))));
    // Every fault runs at least once, even when the work ended early.
    if ((stopping_ && !first_round) || Clock::now() >= limits_.until) break;
    const auto& fault = faults_[first_round ? order[static_cast<size_t>(action)] : any(random)];
    ChaosRecord record{fault.name, std::chrono::duration<double>(Clock::now() - limits_.run_start).count(), 0, ""};
    auto began = Clock::now();
    try {
      fault.run();
    } catch (const std::exception& e) {
      record.error = e.what();
    }
    record.took_s = std::chrono::duration<double>(Clock::now() - began).count();
    std::lock_guard lock(mutex_);
    records_.push_back(record);
  }
}

std::vector<ChaosRecord> ChaosLoop::records() {
  std::lock_guard lock(mutex_);
  return records_;
}

nlohmann::json ChaosLoop::to_json() {
  auto doc = nlohmann::json::array();
  for (const auto& r : records()) {
    nlohmann::json entry = {{"fault", r.fault}, {"atSeconds", std::round(r.at_s * 10) / 10}, {"tookSeconds", std::round(r.took_s * 10) / 10}};
    if (!r.error.empty()) entry["error"] = r.error;
    doc.push_back(entry);
  }
  return doc;
}

}  // namespace rt::soak
