#include <unistd.h>

#include <stdexcept>

#include "roundtable/cli/cli.hpp"
#include "roundtable/config/nats_settings.hpp"
#include "roundtable/common/strings.hpp"

namespace rt::cli {

const std::vector<std::string> kNatsFlags{"NATS_URL", "NATS_USER", "NATS_PASSWORD", "NATS_TOKEN", "NATS_CREDS",
                                          "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY", "FLEET_ID"};
const std::vector<std::string> kCommonFlags{"FLEET"};

std::string explain_stream_error(const Error& error) {
  const std::string& m = error.message;
  bool missing = error.code == ErrorCode::not_found || m.find("No responders") != std::string::npos ||
                 m.find("Not Found") != std::string::npos || m.find("not found") != std::string::npos;
  return missing ? m + " (are the streams there? run: roundtable streams apply)" : m;
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string fleet_of(const config::Settings& s) {
  if (auto flag = s.optional_text("FLEET")) return s.identifier("FLEET", std::nullopt);
  return s.identifier("FLEET_ID", std::string("fleet-a"));
}

Bus connect_bus(const config::Settings& s) {
  nats::NatsSettings n = config::nats_settings(s, "roundtable-cli");
  n.retry_on_failed_connect = false;  // a CLI says at once that nobody is there
  Logger quiet(LogSettings{"error", LogFormat::text, "cli", {}});
  auto connection = nats::Connection::connect(n, quiet);
  if (!connection) throw std::runtime_error("cannot reach NATS at " + redact_url(n.servers.front()) + ": " + connection.error().message);
  auto js = nats::JetStream::create(**connection);
  if (!js) throw std::runtime_error(js.error().message);
  return Bus{std::move(*connection), std::move(*js)};
}

}  // namespace rt::cli
