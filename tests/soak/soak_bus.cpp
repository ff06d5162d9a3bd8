#include "soak/soak_bus.hpp"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "roundtable/common/strings.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::soak {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {
constexpr const char* kFleet = "fleet-a";

// When the stream stored a message: the nanosecond timestamp in its JetStream ack subject
// ($JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ns>.<pending>, with two more
// leading tokens in the newer form). Envelope timestamps have whole seconds only.
std::optional<SystemTime> stored_at(const nats::Message& msg) {
  auto tokens = split(msg.reply(), '.');
  if (tokens.size() < 9 || tokens[0] != "$JS" || tokens[1] != "ACK") return std::nullopt;
  const auto& ns = tokens[tokens.size() - 2];
  char* end = nullptr;
  long long value = std::strtoll(ns.c_str(), &end, 10);
  if (ns.empty() || *end != '\0') return std::nullopt;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(value)));
}
}  // namespace

SoakBus::SoakBus(const std::string& nats_urls, int replicas) {
  nats::NatsSettings settings;
  settings.servers = split(nats_urls, ',');
  settings.connection_name = "soak-driver";
  auto connection = nats::Connection::connect(settings, Logger(LogSettings{"error", LogFormat::json, "soak", {}}));
  if (!connection) throw std::runtime_error(connection.error().message);
  connection_ = std::move(*connection);
  if (!connection_->wait_connected(30s)) throw std::runtime_error("soak driver cannot connect to " + nats_urls);
  auto js = nats::JetStream::create(*connection_, 10s);
  if (!js) throw std::runtime_error(js.error().message);
  js_ = std::move(*js);
  for (const auto& spec : contract::contract_streams(replicas)) {
    // A cluster may still be electing its meta leader: try for a while.
    auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      auto report = js_->apply_stream(spec);
      if (report) break;
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("stream " + spec.name + ": " + report.error().message);
      std::this_thread::sleep_for(500ms);
    }
  }
}

SoakBus::~SoakBus() { connection_->drain(5s); }

bool SoakBus::publish_task(int seq, std::chrono::steady_clock::time_point deadline) {
  contract::TaskRequest request;
  request.task = "security.briefing";
  request.params = json{{"soak", seq}};
  auto env = contract::make_envelope(std::string(contract::type::task_request), "tim", contract::to_json(request),
                                     std::chrono::system_clock::now());
  env.fleet = kFleet;
  auto subject = *contract::task_subject(kFleet, "security", "briefing");
  auto bytes = contract::serialize(env);
  {
    std::lock_guard lock(mutex_);
    published_.push_back({env.id, std::chrono::system_clock::now()});
  }
  while (std::chrono::steady_clock::now() < deadline) {
    if (js_->publish(subject, bytes, env.id)) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::vector<PublishedTask> SoakBus::published() {
  std::lock_guard lock(mutex_);
  return published_;
}

std::optional<uint64_t> SoakBus::stream_messages(const char* stream) {
  auto state = js_->stream_state(stream);
  if (!state) return std::nullopt;
  return state->messages;
}

std::optional<std::map<std::string, std::vector<StoredResult>>> SoakBus::read_results() {
  auto total = stream_messages(contract::kResultsStream);
  if (!total) return std::nullopt;
  nats::ConsumerSpec spec;
  spec.stream = contract::kResultsStream;
  spec.durable = "soak-readback-" + std::to_string(++readbacks_);
  spec.filter_subject = std::string(kFleet) + ".results.>";
  spec.ack_wait = 10min;
  spec.max_deliver = 1;
  spec.max_ack_pending = 10000;
  auto sub = js_->bind_pull(spec);
  if (!sub) return std::nullopt;
  std::map<std::string, std::vector<StoredResult>> results;
  uint64_t read = 0;
  while (read < *total) {
    auto batch = sub->fetch(500, 2s);
    if (!batch || batch->empty()) break;
    for (auto& msg : *batch) {
      ++read;
      auto doc = json::parse(msg.data(), nullptr, false);
      if (!doc.is_object()) continue;
      auto at = stored_at(msg);
      StoredResult stored{doc.value("type", ""), at ? at : parse_rfc3339(doc.value("timestamp", ""))};
      results[doc.value("correlationId", "")].push_back(stored);
      (void)msg.ack();
    }
  }
  (void)js_->delete_consumer(spec.stream, spec.durable);
  if (read < *total) return std::nullopt;
  return results;
}

std::optional<uint64_t> SoakBus::count_events(std::string_view type) {
  auto subject = contract::event_subject(kFleet, type);
  if (!subject) return std::nullopt;
  auto count = js_->count_messages(contract::kEventsStream, *subject);
  if (!count) return std::nullopt;
  return *count;
}

}  // namespace rt::soak
