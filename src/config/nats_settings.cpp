#include "roundtable/config/nats_settings.hpp"

#include <filesystem>
#include "roundtable/common/strings.hpp"

namespace rt::config {

nats::NatsSettings nats_settings(const Settings& s, std::string connection_name) {
  nats::NatsSettings n;
  n.servers = s.list("NATS_URL", {"nats://127.0.0.1:4222"});
  for (const auto& server : n.servers)
    if (server.find("://") == std::string::npos && server.find(':') == std::string::npos)
      s.fail("NATS_URL", "a comma list of nats://host:port URLs", redact_url(server));
  n.creds_file = s.text("NATS_CREDS", "");
  n.user = s.text("NATS_USER", "");
  n.password = s.text("NATS_PASSWORD", "");
  n.token = s.text("NATS_TOKEN", "");
  n.tls_ca = s.text("NATS_TLS_CA", "");
  n.tls_cert = s.text("NATS_TLS_CERT", "");
  n.tls_key = s.text("NATS_TLS_KEY", "");
  if (!n.tls_cert.empty() && n.tls_key.empty()) s.fail("NATS_TLS_KEY", "a key file to go with NATS_TLS_CERT", "");
  if (!n.password.empty() && n.user.empty()) s.fail("NATS_USER", "a user name to go with NATS_PASSWORD", "");
  for (const char* file_setting : {"NATS_CREDS", "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY"}) {
    auto path = s.optional_text(file_setting);
    std::error_code ignored;
    if (path && !std::filesystem::exists(*path, ignored)) s.fail(file_setting, "a readable file", *path);
  }
  n.connection_name = std::move(connection_name);
  return n;
}

}  // namespace rt::config
