// roundtable mcp: the fleet as an MCP server, over stdio or Streamable HTTP.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "roundtable/cli/mcp/command.hpp"
#include "roundtable/cli/mcp/http_transport.hpp"
#include "roundtable/cli/mcp/server.hpp"
#include "roundtable/cli/mcp/stdio_transport.hpp"
#include "roundtable/common/signals.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::cli {

namespace {

struct Parts {
  mcp::ToolLimits limits;
  std::string from;
  std::chrono::seconds stale_after{90};
  size_t max_calls = 8;
  size_t recent = 100;
};

Parts parts_of(const config::Settings& s) {
  Parts p;
  p.limits.default_deadline = s.duration("DEADLINE", std::chrono::seconds(60));
  p.limits.max_deadline = s.duration("MAX_DEADLINE", std::chrono::minutes(10));
  if (p.limits.default_deadline.count() <= 0) s.fail("DEADLINE", "a positive duration", s.text("DEADLINE", ""));
  if (p.limits.max_deadline < p.limits.default_deadline) s.fail("MAX_DEADLINE", "at least --deadline", s.text("MAX_DEADLINE", ""));
  p.limits.max_fanout = static_cast<size_t>(s.integer("MAX_FANOUT", 32, 1, 1000));
  p.from = s.identifier("FROM", std::string("mcp"));
  p.stale_after = std::chrono::duration_cast<std::chrono::seconds>(s.duration("STALE_AFTER", std::chrono::seconds(90)));
  p.max_calls = static_cast<size_t>(s.integer("MAX_CALLS", 8, 1, 256));
  p.recent = static_cast<size_t>(s.integer("RECENT_RESULTS", 100, 0, 10000));
  return p;
}

mcp::HttpOptions http_options(const config::Settings& s, size_t max_calls) {
  mcp::HttpOptions o;
  auto listen = s.text("LISTEN", "");
  http::HostPort address;
  if (!http::parse_listen_address(listen, address)) s.fail("LISTEN", "host:port, e.g. 127.0.0.1:8765", listen);
  o.host = address.host.empty() ? "127.0.0.1" : address.host;
  o.port = address.port;
  o.token = s.optional_text("TOKEN").value_or(s.optional_text("MCP_TOKEN").value_or(""));
  if (o.token.empty() && !mcp::is_loopback_host(o.host))
    throw config::ConfigError("LISTEN", "--listen " + listen + " is not a loopback address: set a bearer token (MCP_TOKEN or --token)");
  o.allowed_origins = s.list("ALLOWED_ORIGINS", {});
  o.max_sessions = static_cast<size_t>(s.integer("MAX_SESSIONS", 32, 1, 10000));
  o.session_idle = s.duration("SESSION_IDLE", std::chrono::minutes(30));
  o.max_calls = max_calls;
  return o;
}

// Runs `serve` until it returns or SIGINT/SIGTERM calls `stop`.
template <typename Serve, typename Stop>
void serve_until_signal(const TerminationSignals& signals, Serve serve, Stop stop, const Logger& logger) {
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int received = signals.wait();
    if (done) return;
    logger.info("mcp.signal", {{"signal", TerminationSignals::name(received)}});
    stop();
  });
  serve();
  done = true;
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake it if no signal came
  waiter.join();
}

}  // namespace

Command mcp_command() {
  Command c;
  c.words = {"mcp"};
  c.summary = "serve the fleet to MCP clients (Claude Code, Cursor ...) over stdio or HTTP";
  c.usage = R"(usage: roundtable mcp [--listen HOST:PORT] [--fleet F] [--deadline DUR] [options]

Serves the fleet as a Model Context Protocol server: tools ask (one knight or domain), fanout
(several at once) and knights (the live roster with capabilities), and resources
roundtable://knights and roundtable://results/<task-id> (the latest answers). Without --listen
it speaks MCP on stdin/stdout (one JSON-RPC message per line; logs on stderr) until stdin
closes; with --listen, Streamable HTTP on http://HOST:PORT/mcp until SIGTERM.
  --listen HOST:PORT  serve Streamable HTTP (127.0.0.1:PORT; port 0 picks one, printed)
  --token T           bearer token for HTTP (env MCP_TOKEN); required off loopback
  --allowed-origins L browser Origins allowed besides loopback ones (comma list)
  --deadline DUR      an ask's or fanout's wait when the call gives none (60s)
  --max-deadline DUR  the longest wait a call may ask for (10m)
  --max-calls N       tool calls running at once; more are answered busy (8)
  --max-sessions N    HTTP sessions at once (32); idle ones (--session-idle, 30m) give way
  --max-fanout N      tasks one fanout may send (32)
  --recent-results N  answers kept as resources (100)
  --stale-after DUR   a knight whose heartbeat is older is stale (90s)
  --from NAME         the sender id on the tasks (mcp)
  --fleet F           the fleet (FLEET_ID, fleet-a)
  --log-level L       stderr log level (info)

Claude Code:  claude mcp add --transport stdio --env NATS_URL=nats://127.0.0.1:4222 roundtable -- roundtable mcp
(docs/mcp.md has the .mcp.json / Cursor form and a worked example)
)";
  c.flags = {"LISTEN", "TOKEN", "ALLOWED_ORIGINS", "DEADLINE", "MAX_DEADLINE", "MAX_CALLS", "MAX_SESSIONS", "SESSION_IDLE",
             "MAX_FANOUT", "RECENT_RESULTS", "STALE_AFTER", "FROM", "LOG_LEVEL"};
  c.environment = {"MCP_TOKEN", "LOG_LEVEL"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (!positional.empty()) throw config::ConfigError("mcp", "unexpected argument '" + positional[0] + "'");
    TerminationSignals signals;  // before any NATS thread starts, so they inherit the mask
    auto parts = parts_of(s);
    bool over_http = s.optional_text("LISTEN").has_value();
    auto options = over_http ? http_options(s, parts.max_calls) : mcp::HttpOptions{};
    auto level = s.choice("LOG_LEVEL", "info", {"debug", "info", "warn", "error", "off"});
    Logger logger(LogSettings{level, LogFormat::json, "mcp", {}});
    auto fleet_name = fleet_of(s);
    mcp::Fleet fleet(connect_bus(s), fleet_name, parts.from, parts.stale_after);
    mcp::RecentResults results(parts.recent);
    mcp::Tools tools(fleet, results, parts.limits);
    mcp::Server server(tools, fleet, results, parts.max_calls, logger.with({{"fleet", fleet_name}}));
    if (!over_http) {
      mcp::StdioTransport transport(server, STDIN_FILENO, STDOUT_FILENO, parts.max_calls);
      logger.info("mcp.ready", {{"transport", "stdio"}, {"fleet", fleet_name}});
      serve_until_signal(signals, [&] { transport.run(); }, [&] { transport.stop(); }, logger);
      return 0;
    }
    mcp::HttpTransport transport(server, options);
    auto port = transport.bind();
    if (!port) throw std::runtime_error(port.error().message);
    std::fprintf(stderr, "roundtable mcp: fleet %s on http://%s:%d/mcp\n", fleet_name.c_str(), options.host.c_str(), *port);
    std::fflush(stderr);
    logger.info("mcp.ready", {{"transport", "http"}, {"fleet", fleet_name}, {"port", *port}, {"token", !options.token.empty()}});
    serve_until_signal(signals, [&] { transport.run(); }, [&] { transport.stop(); }, logger);
    return 0;
  };
  return c;
}

}  // namespace rt::cli
