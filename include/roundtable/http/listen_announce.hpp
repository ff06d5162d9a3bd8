#pragma once
// Where a started gateway listens, for scripts (GATEWAY_LISTEN port 0): one line on stdout,
// `listening <host>:<port>`, and the port alone in GATEWAY_PORT_FILE when it is set.
#include <cstdio>
#include <string>

#include "roundtable/common/result.hpp"

namespace rt::gateway {

std::string listening_line(const std::string& host, int port);
// Written whole or not at all (a temporary file renamed), so a reader never sees half a number.
Status write_port_file(const std::string& path, int port);
// The line on `out` (flushed), then the port file when `port_file` is not empty.
Status announce_listening(std::FILE* out, const std::string& host, int port, const std::string& port_file);

}  // namespace rt::gateway
