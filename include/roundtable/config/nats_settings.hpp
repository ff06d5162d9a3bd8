#pragma once
#include <string>

#include "roundtable/config/settings.hpp"
#include "roundtable/nats/settings.hpp"

namespace rt::config {

// NATS_URL (comma list), NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_TLS_CA,
// NATS_TLS_CERT, NATS_TLS_KEY (docs/contract.md §7). Checks what can be checked before connecting:
// URLs, user with password, key with certificate, files that exist.
nats::NatsSettings nats_settings(const Settings& settings, std::string connection_name);

}  // namespace rt::config
