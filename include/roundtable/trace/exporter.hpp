#pragma once
// Sends finished spans to an OTLP/HTTP (JSON) receiver, off the hot path: record() only puts the
// span on a bounded queue; a background thread posts batches every interval or max_batch spans.
// When the queue is full or the collector cannot be reached the spans are dropped and counted,
// never waited for. With no endpoint configured, record() does nothing.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "roundtable/common/log.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/trace/settings.hpp"
#include "roundtable/trace/span.hpp"

namespace rt::trace {

class Exporter {
 public:
  // `dropped_metric` (e.g. roundtable_bridge_spans_dropped_total) is registered on `metrics`
  // when given, and counts every dropped span.
  Exporter(ExporterSettings settings, Logger logger, http::MetricsRegistry* metrics = nullptr, std::string dropped_metric = {});
  ~Exporter();  // sends what is queued (bounded by the timeout), then stops
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  bool enabled() const { return settings_.enabled(); }
  void record(Span span);
  // Waits until everything recorded so far was sent or dropped, at most `timeout`.
  void flush(std::chrono::milliseconds timeout);
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t exported() const { return exported_.load(); }

 private:
  void run();
  bool post(const std::vector<Span>& batch);
  void drop(uint64_t count, const char* why);

  ExporterSettings settings_;
  Logger logger_;
  http::MetricsRegistry* metrics_;
  std::string dropped_metric_;
  std::string base_url_, path_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Span> queue_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  bool flushing_ = false;
  std::atomic<uint64_t> dropped_{0}, exported_{0};
  std::chrono::steady_clock::time_point quiet_until_{};  // warn about a down collector once a minute
  std::thread thread_;
};

}  // namespace rt::trace
