// nats-bridge: the knight's sidecar. See `nats-bridge --help`.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "roundtable/bridge/bridge.hpp"
#include "roundtable/bridge/config.hpp"
#include "roundtable/common/process_hardening.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/http/deferred_tls_init.hpp"

extern char** environ;

int main(int argc, char** argv) {
  rt::http::end_tls_init_deferral();  // libcpp-httplib's load-time OpenSSL init waits for the first TLS use
  // Few malloc arenas: per-thread arenas would cost resident memory for no gain here.
  mallopt(M_ARENA_MAX, 2);
  // A fixed mmap threshold (glibc's default, which it otherwise raises after the first large free):
  // a large task's blocks (its message, the parser's token buffer) are mapped and unmapped again,
  // instead of staying in an arena once freed. 8 tasks of 512 KiB held: RSS +5.7 -> +4.3 MiB.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& arg : args)
    if (arg == "--help" || arg == "-h") {
      std::fputs(rt::bridge::bridge_usage().c_str(), stdout);
      return 0;
    }
  rt::bridge::BridgeConfig config;
  try {
    config = rt::bridge::load_bridge_config(args, rt::config::environment_from(environ));
  } catch (const rt::config::ConfigError& error) {
    std::fprintf(stderr, "nats-bridge: %s\n", error.what());
    return 2;
  }
  rt::protect_secrets(argc, argv);  // non-dumpable, secrets scrubbed from environ and argv (docs/security.md)
  rt::TerminationSignals signals;

  rt::Logger logger(config.log);
  rt::bridge::log_config_notices(config, logger);  // Go nats-bridge aliases (docs/go-bridge.md)
  rt::bridge::Bridge bridge(config, logger);
  std::thread signal_waiter([&] {
    int received = signals.wait();
    logger.info("bridge.signal", {{"signal", rt::TerminationSignals::name(received)}});
    bridge.request_stop();
  });
  int code = bridge.run();
  if (signal_waiter.joinable()) {
    pthread_kill(signal_waiter.native_handle(), SIGTERM);  // wake it if no signal came
    signal_waiter.join();
  }
  return code;
}
