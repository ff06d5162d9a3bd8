// make chaos-cluster: tasks through two bridge + gateway replicas on a 3-node nats-server
// cluster (streams with 3 replicas, bridges given every URL) while the ROUNDTABLE_TASKS stream
// leader is killed with SIGKILL mid-run, and later a follower; both come back on their store.
// Every task must be answered once; the report gives the stall around each kill (the widest
// gap between stored results) and how long the election took.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <thread>

#include "roundtable/contract/streams.hpp"
#include "soak/knight_pair.hpp"
#include "soak/llm_standin.hpp"
#include "soak/nats_cluster.hpp"
#include "soak/result_wait.hpp"
#include "soak/tally.hpp"
#include "fixtures/servers.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::optional<std::string> stream_leader(rt::soak::SoakBus& bus) {
  auto reply = bus.connection().request(std::string("$JS.API.STREAM.INFO.") + rt::contract::kTasksStream, "", 2s);
  if (!reply) return std::nullopt;
  auto doc = json::parse(reply->data(), nullptr, false);
  if (!doc.is_object() || !doc.contains("cluster")) return std::nullopt;
  auto leader = doc["cluster"].value("leader", "");
  if (leader.empty()) return std::nullopt;
  return leader;
}

struct Kill {
  std::string role, node;
  rt::SystemTime at;
  double election_ms = -1;   // until a leader other than the killed node answered (leader kill only)
  double stall_ms = 0;       // widest gap between stored results in the 30 s after the kill
};

// Kills `node`, waits for a stream leader elsewhere, brings the node back after a while.
Kill kill_node(rt::soak::NatsCluster& cluster, rt::soak::SoakBus& bus, int node, const std::string& role) {
  Kill k{role, cluster.name(node), std::chrono::system_clock::now()};
  auto began = Clock::now();
  cluster.kill(node);
  auto deadline = began + 60s;
  while (Clock::now() < deadline) {
    auto leader = stream_leader(bus);
    if (leader && *leader != k.node) {
      k.election_ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(5s);  // the cluster runs on two nodes for a while
  cluster.start(node);
  return k;
}

double widest_gap(std::vector<rt::SystemTime> times, rt::SystemTime from, rt::SystemTime to) {
  std::sort(times.begin(), times.end());
  double widest = 0;
  std::optional<rt::SystemTime> previous;
  for (auto t : times) {
    if (t < from - 1s || t > to) continue;
    if (previous) widest = std::max(widest, std::chrono::duration<double, std::milli>(t - *previous).count());
    previous = t;
  }
  return widest;
}

int run(const rt::soak::SoakSettings& settings) {
  auto run_dir = rt::testing::make_temp_dir("rt-chaos-cluster");
  auto started = Clock::now();
  auto deadline = started + settings.timeout;
  std::cout << "chaos-cluster: " << settings.tasks << " tasks at " << settings.rate << "/s on 3 nodes, logs in " << run_dir.string() << std::endl;
  rt::soak::NatsCluster cluster(3);
  rt::testing::RedisServer redis;
  rt::soak::LlmStandIn llm(settings.llm_min, settings.llm_max, settings.seed);
  rt::soak::SoakBus bus(cluster.urls(), 3);
  rt::soak::FleetUrls urls{cluster.urls(), redis.url(), llm.url(), 3};
  std::vector<std::unique_ptr<rt::soak::KnightPair>> knights;
  for (int i = 0; i < 2; ++i) knights.push_back(std::make_unique<rt::soak::KnightPair>(i, run_dir, urls, settings));
  for (auto& k : knights) k->start_gateway();
  for (auto& k : knights)
    if (!k->gateway_ready(30s)) throw std::runtime_error("gateway is not healthy");
  for (auto& k : knights) k->start_bridge();
  for (auto& k : knights)
    if (!k->bridge_ready(60s)) throw std::runtime_error("bridge is not ready, log " + k->bridge_log());

  auto publish_start = Clock::now();
  auto gap = std::chrono::duration<double>(1.0 / settings.rate);
  size_t stored = 0;
  std::thread publisher([&] {
    for (int i = 0; i < settings.tasks && Clock::now() < deadline; ++i) {
      std::this_thread::sleep_until(publish_start + std::chrono::duration_cast<Clock::duration>(gap * i));
      if (bus.publish_task(i, deadline)) ++stored;
    }
  });
  auto span = std::chrono::duration_cast<Clock::duration>(gap * settings.tasks);
  std::vector<Kill> kills;
  std::this_thread::sleep_until(publish_start + span / 4);
  auto leader = stream_leader(bus);
  if (leader && cluster.index_of(*leader)) kills.push_back(kill_node(cluster, bus, *cluster.index_of(*leader), "leader"));
  std::this_thread::sleep_until(publish_start + span * 2 / 3);
  leader = stream_leader(bus);
  if (leader && cluster.index_of(*leader)) {
    int follower = (*cluster.index_of(*leader) + 1) % cluster.size();
    kills.push_back(kill_node(cluster, bus, follower, "follower"));
  }
  publisher.join();
  auto results = rt::soak::await_results(bus, deadline);
  auto tally = rt::soak::count_results(bus.published(), results ? *results : rt::soak::StoredResults{});
  tally.tasks = static_cast<size_t>(settings.tasks);
  tally.published = stored;
  tally.dead_lettered = bus.count_events("task.deadletter").value_or(0);
  tally.retrying = bus.count_events("task.retrying").value_or(0);
  tally.tasks_left = bus.stream_messages(rt::contract::kTasksStream);

  std::vector<rt::SystemTime> completions;
  if (results)
    for (const auto& [id, stored_results] : *results)
      if (!stored_results.empty() && stored_results.front().at) completions.push_back(*stored_results.front().at);
  json report = tally.to_json();
  report["kills"] = json::array();
  double worst_stall = 0;
  for (auto& k : kills) {
    k.stall_ms = widest_gap(completions, k.at, k.at + 30s);
    worst_stall = std::max(worst_stall, k.stall_ms);
    report["kills"].push_back({{"role", k.role}, {"node", k.node}, {"electionMs", std::lround(k.election_ms)}, {"stallMs", std::lround(k.stall_ms)}});
  }
  report["steadyGapMs"] = std::lround(widest_gap(completions, rt::SystemTime::min() + 1s, kills.empty() ? rt::SystemTime::max() : kills.front().at - 1s));
  report["seconds"] = std::lround(std::chrono::duration<double>(Clock::now() - started).count());
  bool passed = tally.passed() && kills.size() == 2;
  std::cout << "chaos-cluster " << (passed ? "PASS" : "FAIL") << ": " << tally.summary() << " kills=" << report["kills"].dump()
            << " steady_gap=" << report["steadyGapMs"] << "ms in " << report["seconds"] << "s" << std::endl;
  if (!passed) std::cout << "details: " << report.dump() << std::endl;
  if (!settings.report.empty()) std::ofstream(settings.report) << report.dump(2) << "\n";
  knights.clear();
  if (passed && !settings.keep_logs) std::filesystem::remove_all(run_dir);
  else std::cout << "logs kept in " << run_dir.string() << std::endl;
  return passed ? 0 : 1;
}

}  // namespace

int main() {
  try {
    rt::soak::SoakSettings defaults;
    defaults.tasks = 2000;
    defaults.rate = 40;
    defaults.timeout = std::chrono::seconds(240);
    return run(rt::soak::soak_settings_from_env(defaults));
  } catch (const std::exception& e) {
    std::cerr << "chaos-cluster: " << e.what() << std::endl;
    return 2;
  }
}
