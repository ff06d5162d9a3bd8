#include "roundtable/trace/exporter.hpp"

#include <httplib.h>

#include "roundtable/common/strings.hpp"
#include "roundtable/http/client_pool.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::trace {

Exporter::Exporter(ExporterSettings settings, Logger logger, http::MetricsRegistry* metrics, std::string dropped_metric)
    : settings_(std::move(settings)), logger_(std::move(logger)), metrics_(metrics), dropped_metric_(std::move(dropped_metric)) {
  if (metrics_ && !dropped_metric_.empty())
    metrics_->counter(dropped_metric_, "Spans dropped because the export queue was full or the collector could not be reached");
  if (!enabled()) return;
  auto scheme = settings_.endpoint.find("://");
  auto slash = settings_.endpoint.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  base_url_ = settings_.endpoint.substr(0, slash);
  path_ = slash == std::string::npos ? "/v1/traces" : settings_.endpoint.substr(slash);
  thread_ = std::thread([this] { run(); });
}

Exporter::~Exporter() {
  if (!thread_.joinable()) return;
  flush(settings_.timeout);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Exporter::record(Span span) {
  if (!enabled()) return;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= settings_.max_queue) {
      drop(1, "queue full");
      return;
    }
    queue_.push_back(std::move(span));
    if (queue_.size() < settings_.max_batch) return;
  }
  wake_.notify_one();
}

void Exporter::flush(std::chrono::milliseconds timeout) {
  if (!enabled()) return;
  std::unique_lock lock(mutex_);
  flushing_ = true;
  wake_.notify_one();
  idle_.wait_for(lock, timeout, [&] { return queue_.empty() && in_flight_ == 0; });
}

void Exporter::drop(uint64_t count, const char* why) {
  dropped_ += count;
  if (metrics_ && !dropped_metric_.empty()) metrics_->add(dropped_metric_, static_cast<double>(count));
  auto now = std::chrono::steady_clock::now();
  if (now < quiet_until_) return;
  quiet_until_ = now + std::chrono::minutes(1);
  logger_.warn("trace.spans_dropped", {{"count", count}, {"reason", why}, {"endpoint", redact_url(settings_.endpoint)}});
}

void Exporter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, settings_.interval, [&] { return stopping_ || flushing_ || queue_.size() >= settings_.max_batch; });
    if (queue_.empty()) {
      flushing_ = false;
      idle_.notify_all();
      if (stopping_) return;
      continue;
    }
    size_t take = std::min(queue_.size(), settings_.max_batch);
    std::vector<Span> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<long>(take)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(take));
    in_flight_ = batch.size();
    lock.unlock();
    bool sent = post(batch);
    lock.lock();
    in_flight_ = 0;
    if (sent) exported_ += batch.size();
    else drop(batch.size(), "collector unreachable or refused the batch");
    if (queue_.empty()) {
      flushing_ = false;
      idle_.notify_all();
    }
  }
}

bool Exporter::post(const std::vector<Span>& batch) {
  httplib::Client client(base_url_);
  http::tune_client(client, settings_.timeout);
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout).count(), 0);
  if (base_url_.rfind("https://", 0) == 0) client.set_ca_cert_path(http::kSystemCaBundle);
  httplib::Headers headers;
  for (const auto& [name, value] : settings_.headers) headers.emplace(name, value);
  std::string body = otlp_export_request(settings_.resource, batch).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto res = client.Post(path_, headers, body, "application/json");
  return res && res->status >= 200 && res->status < 300;
}

}  // namespace rt::trace
