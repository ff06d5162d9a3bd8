#pragma once
// How to reach NATS (docs/contract.md §7). Plain data; secrets never logged.
#include <string>
#include <vector>

namespace rt::nats {

struct NatsSettings {
  std::vector<std::string> servers{"nats://127.0.0.1:4222"};
  std::string creds_file;
  std::string user;
  std::string password;
  std::string token;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string connection_name = "roundtable";
  // Fail fast at start when no server answers; reconnect forever once connected.
  bool retry_on_failed_connect = true;
};

}  // namespace rt::nats
