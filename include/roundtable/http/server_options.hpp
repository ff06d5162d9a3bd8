#pragma once
// Settings every cpp-httplib server and client of ours needs.
#include <chrono>
#include <string>

namespace httplib {
class Server;
class Client;
}  // namespace httplib

namespace rt::http {

// TCP_NODELAY (a keep-alive POST otherwise stalls 40-90 ms on Nagle), keep-alive, timeouts.
void tune_server(httplib::Server& server, std::chrono::milliseconds read_timeout = std::chrono::seconds(30));
void tune_client(httplib::Client& client, std::chrono::milliseconds timeout);

struct HostPort {
  std::string host;
  int port = 0;
};
// "127.0.0.1:18789", ":8080", "8080" -> host/port; nullopt-style empty host on error.
bool parse_listen_address(const std::string& text, HostPort& out);

}  // namespace rt::http
