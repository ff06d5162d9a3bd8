// up: a local fleet as child processes (nats-server, redis-server, a bridge and a gateway per
// knight, the lead), logs under one folder, all stopped on Ctrl-C. --ask sends one message to
// the lead and stops after the answer (the demo).
#include <signal.h>
#include <unistd.h>

#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>

#include "roundtable/cli/cli.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/common/child_process.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/time.hpp"
#include "roundtable/contract/streams.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

namespace rt::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string find_program(const std::string& name, const fs::path& beside) {
  if (fs::exists(beside / name)) return (beside / name).string();
  const char* path = std::getenv("PATH");
  std::vector<std::string> dirs = split(path ? path : "", ':');
  for (const char* extra : {"/usr/sbin", "/usr/bin", "/usr/local/bin"}) dirs.push_back(extra);
  for (const auto& dir : dirs)
    if (!dir.empty() && ::access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
  throw std::runtime_error(name + " not found (run `make deps`)");
}

struct Knight {
  std::string name, role;
  std::vector<std::string> domains;
  fs::path workspace;
  int gateway_port = 0, health_port = 0;
};

bool http_ok(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 200000);
  client.set_read_timeout(1, 0);
  auto res = client.Get(path.c_str());
  return res && res->status == 200;
}

bool wait_until(const std::function<bool()>& ready, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class Fleet {
 public:
  Fleet(fs::path run_dir, fs::path bin_dir, std::string fleet) : run_(std::move(run_dir)), bin_(std::move(bin_dir)), fleet_(std::move(fleet)) {}
  ~Fleet() { stop(); }

  void start_servers() {
    nats_port_ = free_port();
    fs::create_directories(run_ / "nats");
    std::ofstream(run_ / "nats/nats.conf") << "listen: 127.0.0.1:" << nats_port_ << "\njetstream { store_dir: \""
                                           << (run_ / "nats/store").string() << "\" }\n";
    spawn("nats-server", {find_program("nats-server", bin_), "-c", (run_ / "nats/nats.conf").string()}, {});
    redis_port_ = free_port();
    spawn("redis-server", {find_program("redis-server", bin_), "--port", std::to_string(redis_port_), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--dir", run_.string()}, {});
    if (!wait_for_port(nats_port_, std::chrono::seconds(20))) throw std::runtime_error("nats-server did not start; see " + run_.string() + "/nats-server.log");
    if (!wait_for_port(redis_port_, std::chrono::seconds(20))) throw std::runtime_error("redis-server did not start");
  }

  void start_knight(Knight& k, const std::map<std::string, std::string>& llm_env) {
    k.gateway_port = free_port();
    k.health_port = free_port();
    std::map<std::string, std::string> common{{"FLEET_ID", fleet_}, {"AGENT_ID", k.name}, {"REDIS_URL", redis_url()}, {"LOG_FORMAT", "json"}};
    auto gateway_env = common;
    gateway_env["WORKSPACE_DIR"] = k.workspace.string();
    gateway_env["GATEWAY_LISTEN"] = "127.0.0.1:" + std::to_string(k.gateway_port);
    for (const auto& [key, value] : llm_env) gateway_env[key] = value;
    if (k.role == "lead") gateway_env["NATS_URL"] = nats_url();
    spawn(k.name + "-gateway", {find_program("knight-gateway", bin_)}, gateway_env);
    auto bridge_env = common;
    bridge_env["NATS_URL"] = nats_url();
    bridge_env["TASK_DOMAINS"] = join(k.domains, ",");
    bridge_env["GATEWAY_URL"] = "http://127.0.0.1:" + std::to_string(k.gateway_port);
    bridge_env["HEALTH_PORT"] = std::to_string(k.health_port);
    bridge_env["HEALTH_HOST"] = "127.0.0.1";
    bridge_env["HEARTBEAT_INTERVAL"] = "5s";
    bridge_env["KNIGHT_CONFIG"] = (k.workspace / "knight.yaml").string();
    spawn(k.name + "-bridge", {find_program("nats-bridge", bin_)}, bridge_env);
  }

  void stop() {
    // Bridges first (they hand work back), then gateways, then the servers.
    // Each group is signalled at once and then awaited, so a fleet stops in one grace period.
    for (const char* suffix : {"-bridge", "-gateway", "redis-server", "nats-server"}) {
      std::vector<ChildProcess*> group;
      for (auto& [name, child] : children_)
        if (name.size() >= std::strlen(suffix) && name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
          group.push_back(child.get());
      for (auto* child : group) child->signal(SIGTERM);
      for (auto* child : group) child->stop(std::chrono::seconds(30));
    }
  }

  bool all_running(std::string& dead) {
    for (auto& [name, child] : children_)
      if (!child->running()) {
        dead = name;
        return false;
      }
    return true;
  }

  std::string nats_url() const { return "nats://127.0.0.1:" + std::to_string(nats_port_); }
  std::string redis_url() const { return "redis://127.0.0.1:" + std::to_string(redis_port_); }
  const fs::path& run_dir() const { return run_; }

 private:
  void spawn(const std::string& name, std::vector<std::string> argv, std::map<std::string, std::string> env) {
    auto child = std::make_unique<ChildProcess>(std::move(argv), std::move(env), run_ / (name + ".log"));
    child->start();
    children_.emplace_back(name, std::move(child));
  }

  fs::path run_, bin_;
  std::string fleet_;
  int nats_port_ = 0, redis_port_ = 0;
  std::vector<std::pair<std::string, std::unique_ptr<ChildProcess>>> children_;
};

std::vector<Knight> read_knights(const fs::path& dir, const std::vector<std::string>& only, const fs::path& run_dir) {
  std::vector<Knight> knights;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (!entry.is_directory() || name == "template" || !fs::exists(entry.path() / "knight.yaml")) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    YAML::Node yaml = YAML::LoadFile((entry.path() / "knight.yaml").string());
    Knight k;
    k.name = yaml["name"] ? yaml["name"].as<std::string>() : name;
    k.role = yaml["role"] ? yaml["role"].as<std::string>() : "knight";
    for (const auto& d : yaml["domains"]) k.domains.push_back(d.as<std::string>());
    k.workspace = run_dir / k.name / "workspace";
    fs::create_directories(k.workspace.parent_path());
    fs::copy(entry.path(), k.workspace, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    knights.push_back(k);
  }
  std::sort(knights.begin(), knights.end(), [](const Knight& a, const Knight& b) { return (a.role == "lead") < (b.role == "lead") || (a.role == b.role && a.name < b.name); });
  for (const auto& name : only)
    if (std::none_of(knights.begin(), knights.end(), [&](const Knight& k) { return k.name == name; }))
      throw config::ConfigError("KNIGHTS", "no knight '" + name + "' under " + dir.string());
  return knights;
}

std::map<std::string, std::string> llm_environment(const config::Settings& s, std::string& label) {
  std::map<std::string, std::string> env;
  std::string provider = s.text("PROVIDER", "");
  if (provider.empty()) provider = s.optional_text("ANTHROPIC_API_KEY") ? "anthropic" : s.optional_text("LLM_BASE_URL") ? "openai" : "offline";
  env["LLM_PROVIDER"] = provider;
  for (const char* key : {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM_BASE_URL", "LLM_MODEL"})
    if (auto value = s.optional_text(key)) env[key] = *value;
  label = provider;
  return env;
}

int ask_lead(const Knight& lead, const std::string& question, std::chrono::seconds wait) {
  httplib::Client client("127.0.0.1", lead.gateway_port);
  client.set_read_timeout(wait.count(), 0);
  json body = {{"model", lead.name}, {"messages", json::array({{{"role", "user"}, {"content", question}}})}};
  std::printf("\n> %s\n\n", question.c_str());
  std::fflush(stdout);
  auto started = std::chrono::steady_clock::now();
  auto res = client.Post("/v1/chat/completions", body.dump(), "application/json");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (!res || res->status != 200) {
    std::fprintf(stderr, "the lead did not answer: %s\n", res ? res->body.c_str() : httplib::to_string(res.error()).c_str());
    return 1;
  }
  json doc = json::parse(res->body, nullptr, false);
  std::printf("%s\n", doc["choices"][0]["message"]["content"].get<std::string>().c_str());
  std::printf("(answered by %s in %lld ms, %lld tokens)\n", lead.name.c_str(), static_cast<long long>(ms),
              static_cast<long long>(doc["usage"].value("total_tokens", 0)));
  return 0;
}

}  // namespace

Command up_command() {
  Command c;
  c.words = {"up"};
  c.summary = "run a local fleet (nats, redis, bridges, gateways, lead)";
  c.usage = R"(usage: roundtable up [--knights a,b,c] [--knights-dir knights] [--dir RUN_DIR] [--provider P] [--ask TEXT]

Starts nats-server and redis-server on free loopback ports, applies the streams, and for every
knight under --knights-dir (all but template/, or those named) a knight-gateway and a
nats-bridge; the knight whose role is lead also gets NATS for its delegate tool. Each knight
works on a copy of its folder; logs go to RUN_DIR (default ./run/<time>). Ctrl-C stops all.
The LLM: --provider, else anthropic when ANTHROPIC_API_KEY is set, openai when LLM_BASE_URL is
set, otherwise offline. --ask TEXT sends TEXT to the lead's chat endpoint once everything is
ready, prints the answer, stops the fleet and exits (0 on an answer).
)";
  c.flags = {"KNIGHTS", "KNIGHTS_DIR", "DIR", "PROVIDER", "ASK", "WAIT", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM_BASE_URL", "LLM_MODEL"};
  c.environment = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM_BASE_URL", "LLM_MODEL"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("up", "unexpected argument '" + positional[0] + "'");
    TerminationSignals signals;
    auto fleet_id = fleet_of(s);
    std::vector<std::string> only;
    if (auto list = s.optional_text("KNIGHTS")) only = s.identifier_list("KNIGHTS", {});
    std::string stamp = format_rfc3339(std::chrono::system_clock::now());
    for (auto& ch : stamp) if (ch == ':') ch = '-';
    fs::path run_dir = s.text("DIR", "run/" + stamp);
    fs::create_directories(run_dir);
    run_dir = fs::canonical(run_dir);
    auto knights = read_knights(s.text("KNIGHTS_DIR", "knights"), only, run_dir);
    if (knights.empty()) throw config::ConfigError("KNIGHTS_DIR", "no knights found under " + s.text("KNIGHTS_DIR", "knights"));
    std::string provider;
    auto llm_env = llm_environment(s, provider);
    fs::path bin_dir = fs::canonical("/proc/self/exe").parent_path();

    Fleet fleet(run_dir, bin_dir, fleet_id);
    auto started = std::chrono::steady_clock::now();
    fleet.start_servers();
    auto bus = connect_bus([&] {
      config::Settings local = s;
      local.add_env({{"NATS_URL", fleet.nats_url()}});
      return local;
    }());
    for (const auto& spec : contract::contract_streams(1)) bus.js->apply_stream(spec);
    for (auto& k : knights) fleet.start_knight(k, llm_env);
    std::string dead;
    bool ready = wait_until([&] {
      if (!fleet.all_running(dead)) return true;
      return std::all_of(knights.begin(), knights.end(), [](const Knight& k) { return http_ok(k.health_port, "/readyz"); });
    }, std::chrono::seconds(60));
    if (!fleet.all_running(dead) || !ready) {
      std::fprintf(stderr, "the fleet did not come up%s; logs in %s\n", dead.empty() ? "" : (": " + dead + " exited").c_str(), run_dir.c_str());
      return 1;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::printf("fleet %s up in %lld ms (LLM provider: %s), logs in %s\n", fleet_id.c_str(), static_cast<long long>(ms), provider.c_str(),
                run_dir.c_str());
    std::printf("  %-10s %-5s %-20s %-24s %s\n", "KNIGHT", "ROLE", "DOMAINS", "GATEWAY", "HEALTH");
    for (const auto& k : knights)
      std::printf("  %-10s %-5s %-20s http://127.0.0.1:%-7d http://127.0.0.1:%d/readyz\n", k.name.c_str(), k.role.c_str(),
                  join(k.domains, ",").c_str(), k.gateway_port, k.health_port);
    std::printf("  NATS_URL=%s  REDIS_URL=%s\n", fleet.nats_url().c_str(), fleet.redis_url().c_str());
    std::fflush(stdout);
    if (auto question = s.optional_text("ASK")) {
      auto lead = std::find_if(knights.begin(), knights.end(), [](const Knight& k) { return k.role == "lead"; });
      if (lead == knights.end()) throw config::ConfigError("KNIGHTS", "--ask needs a knight with role lead");
      int code = ask_lead(*lead, *question, std::chrono::duration_cast<std::chrono::seconds>(s.duration("WAIT", std::chrono::seconds(120))));
      fleet.stop();
      std::printf("fleet stopped\n");
      return code;
    }
    std::printf("Ctrl-C to stop\n");
    std::fflush(stdout);
    signals.wait();
    fleet.stop();
    std::printf("fleet stopped\n");
    return 0;
  };
  return c;
}

}  // namespace rt::cli
