#include "roundtable/http/listen_announce.hpp"

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace rt::http {

std::string listening_line(const std::string& host, int port) { return "listening " + host + ":" + std::to_string(port) + "\n"; }

Status write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return make_error(ErrorCode::io_error, "cannot write " + temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return make_error(ErrorCode::io_error, "cannot write " + path);
  }
  return {};
}

Status announce_listening(std::FILE* out, const std::string& host, int port, const std::string& port_file) {
  std::string line = listening_line(host, port);
  std::fputs(line.c_str(), out);
  std::fflush(out);
  return port_file.empty() ? Status{} : write_port_file(port_file, port);
}

}  // namespace rt::http
