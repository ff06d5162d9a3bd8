#pragma once
// Shared by the cli_*.cpp tests: run the real roundtable binary, and play a knight on the bus
// (pull tasks from a durable consumer, answer on the result subject) without any bridge.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fixtures/await.hpp"
#include "fixtures/process.hpp"
#include "fixtures/servers.hpp"
#include "roundtable/common/uuid.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"

namespace rt::testing {

inline std::string roundtable_binary() { return std::string(RT_BIN_DIR) + "/roundtable"; }

// Runs `roundtable args...` against the server, fleet-a unless the env says otherwise.
inline CommandResult roundtable(const NatsServer& nats, std::vector<std::string> args, std::map<std::string, std::string> env = {},
                                std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), roundtable_binary());
  env.emplace("NATS_URL", nats.url());
  env.emplace("FLEET_ID", "fleet-a");
  return run_command(args, env, timeout);
}

inline size_t occurrences(const std::string& text, const std::string& word) {
  size_t count = 0;
  for (size_t pos = 0; (pos = text.find(word, pos)) != std::string::npos; pos += word.size()) ++count;
  return count;
}

// The line of `text` that contains `fragment`, or "" when none does.
inline std::string line_with(const std::string& text, const std::string& fragment) {
  auto at = text.find(fragment);
  if (at == std::string::npos) return "";
  auto begin = text.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

// The test's own connection, with the contract's streams applied.
class TestBus {
 public:
  explicit TestBus(const std::string& url) {
    nats::NatsSettings settings;
    settings.servers = {url};
    settings.connection_name = "cli-test";
    auto connection = nats::Connection::connect(settings, Logger());
    if (!connection) throw std::runtime_error(connection.error().message);
    connection_ = std::move(*connection);
    if (!connection_->wait_connected(std::chrono::seconds(10))) throw std::runtime_error("no NATS at " + url);
    auto js = nats::JetStream::create(*connection_);
    if (!js) throw std::runtime_error(js.error().message);
    js_ = std::move(*js);
  }
  ~TestBus() {
    js_.reset();
    connection_->drain(std::chrono::seconds(2));
  }

  void apply_streams() {
    for (const auto& spec : contract::contract_streams(1)) {
      auto report = js_->apply_stream(spec);
      if (!report) throw std::runtime_error(report.error().message);
    }
  }

  Result<nats::PublishAck> publish(const std::string& subject, const contract::Envelope& envelope, const std::string& msg_id) {
    return js_->publish(subject, contract::serialize(envelope), msg_id);
  }

  nats::Connection& connection() { return *connection_; }
  nats::JetStream& js() { return *js_; }

 private:
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<nats::JetStream> js_;
};

inline contract::Envelope result_envelope(const std::string& agent, const contract::Envelope& task, const std::string& content) {
  contract::TaskResult result;
  result.content = content;
  result.metadata.model = "test-model";
  auto env = contract::make_envelope(std::string(contract::type::task_result), agent, contract::to_json(result), std::chrono::system_clock::now());
  env.correlation_id = task.id;
  env.fleet = task.fleet;
  env.to = task.from;
  return env;
}

inline contract::Envelope failure_envelope(const std::string& agent, const contract::Envelope& task, ErrorCode code, const std::string& message) {
  auto env = contract::make_envelope(std::string(contract::type::task_failed), agent, contract::to_json(contract::make_failure(code, message)),
                                     std::chrono::system_clock::now());
  env.correlation_id = task.id;
  env.fleet = task.fleet;
  env.to = task.from;
  return env;
}

// A knight played by the test: a durable pull consumer on <fleet>.tasks.<domain>.>, a thread that
// fetches, records what arrived and publishes what `answer` returns on the result subject with
// Nats-Msg-Id result-<task id>, then acks.
class PlayedKnight {
 public:
  struct Received {
    std::string subject;
    std::optional<std::string> msg_id;
    nlohmann::json envelope;
  };
  using Answer = std::function<std::optional<contract::Envelope>(const contract::Envelope& task)>;

  PlayedKnight(TestBus& bus, std::string agent, std::string domain, Answer answer, std::string fleet = "fleet-a")
      : bus_(bus), agent_(std::move(agent)), domain_(std::move(domain)), fleet_(std::move(fleet)), answer_(std::move(answer)) {
    nats::ConsumerSpec spec;
    spec.stream = contract::kTasksStream;
    spec.durable = *contract::consumer_name(fleet_, agent_, domain_);
    spec.filter_subject = *contract::consumer_filter(fleet_, domain_);
    auto sub = bus_.js().bind_pull(spec);
    if (!sub) throw std::runtime_error(sub.error().message);
    subscription_ = std::move(*sub);
    thread_ = std::thread([this] { serve(); });
  }
  ~PlayedKnight() {
    stop_ = true;
    thread_.join();
  }

  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  bool wait_for_tasks(size_t count) {
    return eventually([&] { return received().size() >= count; });
  }

 private:
  void serve() {
    while (!stop_) {
      // The fetch's wait bounds how soon the destructor is noticed; it is not synchronisation.
      auto batch = subscription_.fetch(10, std::chrono::milliseconds(200));
      if (!batch) continue;
      for (auto& msg : *batch) handle(msg);
    }
  }

  void handle(nats::Message& msg) {
    {
      // Recorded before the answer goes out: whoever got the answer finds the task recorded.
      std::lock_guard lock(mutex_);
      received_.push_back({std::string(msg.subject()), msg.header("Nats-Msg-Id"), nlohmann::json::parse(msg.data(), nullptr, false)});
    }
    auto task = contract::parse_envelope(msg.data());
    if (task) {
      if (auto reply = answer_(*task)) {
        auto subject = contract::result_subject(fleet_, domain_, task->id);
        auto ack = bus_.publish(*subject, *reply, "result-" + task->id);
        if (!ack) ADD_FAILURE() << "result publish failed: " << ack.error().message;
      }
    }
    msg.ack();
  }

  TestBus& bus_;
  std::string agent_, domain_, fleet_;
  Answer answer_;
  nats::PullSubscription subscription_;
  std::mutex mutex_;
  std::vector<Received> received_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rt::testing
