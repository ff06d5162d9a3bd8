#include "gateway_runs.hpp"

#include <thread>

#include "bench_error.hpp"
#include "http_probe.hpp"

namespace rt::bench {
namespace {

namespace fs = std::filesystem;

constexpr double kRssGoalMib = 12;
constexpr double kReadyGoalMs = 10;

class WorkspaceCopy {
 public:
  WorkspaceCopy() {
    std::string pattern = (fs::temp_directory_path() / "rt-bench-ws-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw BenchError("mkdtemp failed");
    dir_ = pattern;
    fs::copy(fs::path(RT_SOURCE_DIR) / "tests/fixtures/workspaces/basic", dir_, fs::copy_options::recursive);
  }
  ~WorkspaceCopy() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

class GatewayInstance {
 public:
  GatewayInstance(const std::vector<std::string>& argv, const fs::path& workspace, const std::string& llm_url)
      : port_(free_loopback_port()), log_(fs::temp_directory_path() / ("rt-bench-gateway-" + std::to_string(port_) + ".log")) {
    EnvMap env{{"WORKSPACE_DIR", workspace.string()}, {"GATEWAY_LISTEN", "127.0.0.1:" + std::to_string(port_)},
               {"LLM_PROVIDER", "openai"},            {"LLM_BASE_URL", llm_url},
               {"OPENAI_API_KEY", "bench"},           {"LOG_LEVEL", "info"}};
    child_ = Child(argv, env, log_);
  }
  ~GatewayInstance() {
    child_.stop();
    std::error_code ignored;
    fs::remove(log_, ignored);
  }
  double start_and_wait_ready_ms() {
    auto exec = Steady::now();
    child_.start();
    auto ready = time_until_ready(port_, "/readyz", exec);
    if (!ready) throw BenchError("knight-gateway not ready within 20 s; its output:\n" + child_.output_tail());
    return std::chrono::duration<double, std::milli>(*ready).count();
  }
  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }

 private:
  int port_;
  fs::path log_;
  Child child_;
};

void check_completed(const PostLoop& loop, const char* who) {
  if (loop.first_body.find("\"completed\"") == std::string::npos)
    throw BenchError(std::string(who) + " did not answer the task as completed: " + loop.first_body.substr(0, 400));
}

// Round by round: each round's gateway run follows its floor run by a fraction of a second.
double median_ratio(const std::vector<double>& measured, const std::vector<double>& floor) {
  std::vector<double> ratios;
  for (size_t i = 0; i < measured.size() && i < floor.size(); ++i)
    if (floor[i] > 0) ratios.push_back(measured[i] / floor[i]);
  return median(ratios);
}

double median_difference(const std::vector<double>& measured, const std::vector<double>& floor) {
  std::vector<double> differences;
  for (size_t i = 0; i < measured.size() && i < floor.size(); ++i) differences.push_back(measured[i] - floor[i]);
  return median(differences);
}

}  // namespace

GatewayFigures measure_gateway(BenchContext& ctx) {
  const auto& c = ctx.counts();
  GatewayFigures f;
  WorkspaceCopy workspace;
  ctx.progress.say("knight-gateway: " + std::to_string(c.gateway_starts) + " starts");
  GatewayInstance(ctx.options.gateway_argv, workspace.dir(), ctx.gateway.url()).start_and_wait_ready_ms();  // warms the page cache
  for (int i = 0; i < c.gateway_starts; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    f.ready_ms.push_back(GatewayInstance(ctx.options.gateway_argv, workspace.dir(), ctx.gateway.url()).start_and_wait_ready_ms());
  }
  GatewayInstance gateway(ctx.options.gateway_argv, workspace.dir(), ctx.gateway.url());
  gateway.start_and_wait_ready_ms();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  f.idle = memory_of(gateway.pid());

  ctx.progress.say("knight-gateway: " + std::to_string(c.gateway_rounds) + " rounds of " + std::to_string(c.gateway_requests) +
                   " webhook tasks, one in flight");
  KeepAlivePoster direct(ctx.gateway.port(), "/webhook"), through(gateway.port(), "/webhook");
  TaskFactory tasks("security", 0, "briefing");
  check_completed(through.run(tasks, 20), "knight-gateway");
  direct.run(tasks, 20);
  for (int round = 0; round < c.gateway_rounds; ++round) {
    auto floor = direct.run(tasks, c.gateway_requests);
    f.floor_p50_us.push_back(floor.p50_us);
    f.floor_per_second.push_back(floor.per_second);
    CpuWindow cpu(gateway.pid());
    auto measured = through.run(tasks, c.gateway_requests);
    f.cpu_ns += cpu.elapsed();
    f.requests += c.gateway_requests;
    f.p50_us.push_back(measured.p50_us);
    f.per_second.push_back(measured.per_second);
  }
  f.after = memory_of(gateway.pid());
  return f;
}

void add_gateway_rows(BenchContext& ctx, const GatewayFigures& f) {
  auto& report = ctx.report;
  double p50 = median(f.p50_us), floor_p50 = median(f.floor_p50_us);
  report.add(per_round("knight-gateway webhook p50, 1 in flight", p50, "us", floor_p50, "instant server round trip",
                       median_ratio(f.p50_us, f.floor_p50_us)));
  report.add(plain("knight-gateway own overhead p50 (p50 - round trip p50)", median_difference(f.p50_us, f.floor_p50_us), "us"));
  report.add(per_round("knight-gateway webhook requests/s, 1 in flight", median(f.per_second), "req/s", median(f.floor_per_second),
                       "instant server", median_ratio(f.per_second, f.floor_per_second)));
  report.add(plain("knight-gateway CPU/request", f.requests ? f.cpu_ns / 1000.0 / f.requests : 0, "us"));
  report.add(compared("knight-gateway idle RSS", mib(f.idle.rss_kib), "MiB", kRssGoalMib, "goal", {Goal::value_at_most, kRssGoalMib, ""}));
  report.add(plain("knight-gateway idle RssAnon", mib(f.idle.anon_kib), "MiB"));
  report.add(plain("knight-gateway idle PSS", mib(f.idle.pss_kib), "MiB"));
  report.add(compared("knight-gateway RSS after " + std::to_string(f.requests) + " requests", mib(f.after.rss_kib), "MiB", mib(f.idle.rss_kib),
                      "idle"));
  report.add(plain("knight-gateway ready (median of " + std::to_string(f.ready_ms.size()) + ")", median(f.ready_ms), "ms",
                   {Goal::value_at_most, kReadyGoalMs, ""}));
}

}  // namespace rt::bench
