#include "roundtable/http/server_options.hpp"

#include <httplib.h>

namespace rt::http {

void tune_server(httplib::Server& server, std::chrono::milliseconds read_timeout) {
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(60);
  server.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(read_timeout).count(), 0);
}

void tune_client(httplib::Client& client, std::chrono::milliseconds timeout) {
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  client.set_connection_timeout(5, 0);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
}

bool parse_listen_address(const std::string& text, HostPort& out) {
  auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "0.0.0.0" : text.substr(0, colon);
  std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.empty()) host = "0.0.0.0";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  int value = std::stoi(port);
  if (value < 0 || value > 65535) return false;
  out = HostPort{host, value};
  return true;
}

}  // namespace rt::http
