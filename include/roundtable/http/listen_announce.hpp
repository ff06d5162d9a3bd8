#pragma once
// Where a started server listens, for scripts (a port of 0): one line on stdout,
// `listening <host>:<port>`, and the port alone in a file when one is named
// (knight-gateway GATEWAY_PORT_FILE, nats-bridge HEALTH_PORT_FILE).
#include <cstdio>
#include <string>

#include "roundtable/common/result.hpp"

namespace rt::http {

std::string listening_line(const std::string& host, int port);
// Written whole or not at all (a temporary file renamed), so a reader never sees half a number.
Status write_port_file(const std::string& path, int port);
// The line on `out` (flushed), then the port file when `port_file` is not empty.
Status announce_listening(std::FILE* out, const std::string& host, int port, const std::string& port_file);

}  // namespace rt::http
