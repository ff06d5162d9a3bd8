// knight-gateway: the knight runtime. See `knight-gateway --help`.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include <unistd.h>

#include "roundtable/common/process_hardening.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/http/deferred_tls_init.hpp"
#include "roundtable/gateway/skill_processes.hpp"
#include "roundtable/gateway/gateway.hpp"
#include "roundtable/http/listen_announce.hpp"
#include "roundtable/http/server_options.hpp"

extern char** environ;

int main(int argc, char** argv) {
  rt::http::end_tls_init_deferral();  // libcpp-httplib's load-time OpenSSL init waits for the first TLS use
  mallopt(M_ARENA_MAX, 2);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& arg : args)
    if (arg == "--help" || arg == "-h") {
      std::fputs(rt::gateway::gateway_usage().c_str(), stdout);
      return 0;
    }
  std::pair<rt::gateway::GatewayConfig, rt::gateway::Workspace> loaded;
  try {
    loaded = rt::gateway::load_gateway_config(args, rt::config::environment_from(environ));
  } catch (const rt::config::ConfigError& error) {
    std::fprintf(stderr, "knight-gateway: %s\n", error.what());
    return 2;
  }
  rt::protect_secrets(argc, argv);  // non-dumpable, secrets scrubbed from environ and argv (docs/security.md)
  rt::gateway::adopt_orphaned_skill_processes();  // escaped skill processes come back to be killed
  rt::TerminationSignals signals;

  rt::Logger logger(loaded.first.log);
  rt::http::HostPort listen;
  rt::http::parse_listen_address(loaded.first.listen, listen);
  const std::string port_file = loaded.first.port_file;
  rt::gateway::Gateway gateway(std::move(loaded.first), std::move(loaded.second), logger);
  if (!gateway.start_lead()) return 2;
  if (!gateway.bind()) return 1;
  if (auto announced = rt::http::announce_listening(stdout, listen.host, gateway.port(), port_file); !announced) {
    logger.error("gateway.port_file_failed", {{"setting", "GATEWAY_PORT_FILE"}, {"error", announced.error().message}});
    return 1;
  }
  std::thread signal_waiter([&] {
    int received = signals.wait();
    logger.info("gateway.signal", {{"signal", rt::TerminationSignals::name(received)}});
    gateway.stop();
  });
  if (!gateway.serve()) {
    // A request outlived GATEWAY_SHUTDOWN_GRACE (a long LLM call): its caller retries elsewhere.
    logger.warn("gateway.grace_expired");
    std::fflush(nullptr);
    ::_exit(0);
  }
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  logger.info("gateway.stopped");
  return 0;
}
