// dashboard: a live, read-only web page of the fleet, fed by the CLI's NATS subscriptions.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <thread>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/dashboard/dashboard_http.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/common/json_parse.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/http/server_options.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::cli {

namespace {

using namespace std::chrono_literals;
using dashboard::FleetState;
using dashboard::SseHub;

constexpr const char* kUsage = R"(usage: roundtable dashboard [--listen HOST:PORT] [--token T] [--redis-url URL] [--fleet F]
                           [--heartbeat-interval DUR] [--max-clients N]

Serves a live, read-only web page of the fleet: knights (status, model, capabilities, lag, last
heartbeat; a knight is shown down once no heartbeat came for 1.5 of its intervals, and offline
when it said goodbye), tasks in flight, recent results (duration, attempts, tokens, cost),
failures and dead letters with their reasons, spend today per knight, and a task's trace as a
waterfall. Updates arrive live (server-sent events) from NATS subscriptions to
roundtable.events.<fleet>.>, <fleet>.results.>, <fleet>.heartbeat.> and <fleet>.tasks.>.
  --listen HOST:PORT        where to serve (127.0.0.1:8089; port 0 picks a free one)
  --token T                 required on every request (ROUNDTABLE_DASHBOARD_TOKEN); needed when
                            HOST is not loopback. Open http://HOST:PORT/?token=T once (it sets a
                            cookie), or send Authorization: Bearer T
  --redis-url URL           REDIS_URL: spend today from the gateways' counters; without it, the
                            costUsd of the results seen since the dashboard started
  --heartbeat-interval DUR  a knight's interval until two of its heartbeats show it (30s)
  --max-clients N           live pages served at once (8)

Prints "dashboard of fleet F on http://HOST:PORT/" when it serves; runs until Ctrl-C or SIGTERM.
)";

// Today's spend per knight from the gateways' daily counters (docs/contract.md §8).
std::optional<dashboard::SpendToday> read_spend(redis::Client& redis, const std::string& fleet) {
  dashboard::SpendToday spend{format_rfc3339(std::chrono::system_clock::now()).substr(0, 10), "redis", {}};
  const std::string prefix = "rt:" + fleet + ":spend:", suffix = ":" + spend.day;
  std::string cursor = "0";
  do {
    auto reply = redis.command({"SCAN", cursor, "MATCH", prefix + "*" + suffix, "COUNT", "1000"});
    if (!reply || reply->elements.size() != 2) return std::nullopt;
    cursor = reply->elements[0].text;
    for (const auto& key : reply->elements[1].elements) {
      auto value = redis.get(key.text);
      if (!value || !value->has_value()) continue;
      std::string agent = key.text.substr(prefix.size(), key.text.size() - prefix.size() - suffix.size());
      spend.micro_usd[agent] = std::strtoll((*value)->c_str(), nullptr, 10);
    }
  } while (cursor != "0" && spend.micro_usd.size() < 10000);
  return spend;
}

void load_heartbeats(Bus& bus, const std::string& fleet, FleetState& state) {
  auto subjects = bus.js->subjects(contract::kHeartbeatStream, fleet + ".heartbeat.*");
  if (!subjects) {
    std::fprintf(stderr, "roundtable: no stored heartbeats: %s\n", explain_stream_error(subjects.error()).c_str());
    return;
  }
  for (const auto& subject : *subjects) {
    auto last = bus.js->last_message(contract::kHeartbeatStream, subject);
    if (last && last->has_value()) state.on_message(subject, (*last)->data(), std::chrono::system_clock::now(), false);
  }
}

// Runs `work` every `period` until stop; wakes at once on stop.
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> work)
      : thread_([this, period, work = std::move(work)] {
          std::unique_lock lock(mutex_);
          while (!stop_) {
            lock.unlock();
            work();
            lock.lock();
            changed_.wait_for(lock, period, [this] { return stop_; });
          }
        }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  std::thread thread_;
};

int run_dashboard(const config::Settings& s, const std::vector<std::string>& positional) {
  if (!positional.empty()) throw config::ConfigError("dashboard", "unexpected argument '" + positional[0] + "'");
  auto fleet = fleet_of(s);
  http::HostPort listen;
  std::string listen_text = s.text("LISTEN", "127.0.0.1:8089");
  if (!http::parse_listen_address(listen_text, listen)) throw config::ConfigError("LISTEN", "--listen must be HOST:PORT, got '" + listen_text + "'");
  if (listen.host.size() > 2 && listen.host.front() == '[' && listen.host.back() == ']') listen.host = listen.host.substr(1, listen.host.size() - 2);
  dashboard::Access access;
  access.token = s.optional_text("TOKEN").value_or(s.optional_text("ROUNDTABLE_DASHBOARD_TOKEN").value_or(""));
  if (!dashboard::is_loopback_host(listen.host) && access.token.empty())
    throw config::ConfigError("TOKEN", "a dashboard listening on " + listen.host + " (not loopback) needs --token or ROUNDTABLE_DASHBOARD_TOKEN");
  FleetState::Limits limits;
  limits.default_interval = s.duration("HEARTBEAT_INTERVAL", 30s);
  auto max_clients = static_cast<size_t>(s.integer("MAX_CLIENTS", 8, 1, 256));
  std::optional<redis::RedisUrl> redis_url;
  if (auto text = s.optional_text("REDIS_URL")) {
    auto url = redis::parse_redis_url(*text);
    if (!url) throw config::ConfigError("REDIS_URL", "REDIS_URL: " + url.error().message);
    redis_url = *url;
  }

  TerminationSignals signals;  // before any thread starts, so they inherit the mask
  SseHub hub(SseHub::Limits{max_clients, 512, 15s});
  FleetState state(fleet, limits, [&hub](const std::string& kind, const nlohmann::json& data) { hub.broadcast(kind, dashboard::to_text(data)); });
  auto bus = connect_bus(s);
  std::vector<nats::Subscription> subscriptions;
  for (const auto& subject : {"roundtable.events." + fleet + ".>", fleet + ".results.>", fleet + ".heartbeat.>", fleet + ".tasks.>"}) {
    auto sub = bus.connection->subscribe(subject, [&state](nats::Message msg) { state.on_message(msg.subject(), msg.data(), std::chrono::system_clock::now()); });
    if (!sub) throw std::runtime_error("cannot subscribe to " + subject + ": " + sub.error().message);
    subscriptions.push_back(std::move(*sub));
  }
  if (auto flushed = bus.connection->flush(5s); !flushed) throw std::runtime_error("NATS did not confirm the subscriptions: " + flushed.error().message);
  load_heartbeats(bus, fleet, state);

  http::Server server(http::ServerLimits{max_clients + 4, 16 * 1024, 10s, 256, 128});
  http::tune_server(server, 10s);
  server.set_write_timeout(5, 0);  // a client that stops reading its stream is dropped
  dashboard::install_routes(server, state, hub, access);
  int port = listen.port;
  if (port == 0) port = server.bind_to_any_port(listen.host);
  else if (!server.bind_to_port(listen.host, port)) port = -1;
  if (port <= 0) throw std::runtime_error("cannot listen on " + listen_text);
  std::thread serving([&server] { server.listen_after_bind(3s); });
  std::string host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  std::printf("dashboard of fleet %s on http://%s:%d/\n", fleet.c_str(), host.c_str(), port);
  std::fflush(stdout);
  {
    Ticker liveness(250ms, [&state] { state.tick(std::chrono::system_clock::now()); });
    std::unique_ptr<redis::Client> redis;
    if (redis_url) redis = std::make_unique<redis::Client>(*redis_url, Logger(LogSettings{"off", LogFormat::text, "dashboard", {}}));
    Ticker spend(2s, [&] {
      if (!redis) return state.set_spend(state.observed_spend(std::chrono::system_clock::now()));
      if (auto today = read_spend(*redis, fleet)) state.set_spend(std::move(*today));
    });
    signals.wait();
  }
  hub.close();
  server.stop();
  serving.join();
  subscriptions.clear();
  bus.connection->drain(2s);
  return 0;
}

}  // namespace

Command dashboard_command() {
  Command c;
  c.words = {"dashboard"};
  c.summary = "a live web page of the fleet (knights, tasks, failures, spend, traces)";
  c.usage = kUsage;
  c.flags = {"LISTEN", "TOKEN", "REDIS_URL", "HEARTBEAT_INTERVAL", "MAX_CLIENTS"};
  c.environment = {"ROUNDTABLE_DASHBOARD_TOKEN", "REDIS_URL"};
  c.run = run_dashboard;
  return c;
}

}  // namespace rt::cli
