#include "roundtable/common/strings.hpp"
#include "roundtable/redis/client.hpp"

namespace rt::redis {

Result<RedisUrl> parse_redis_url(std::string_view text) {
  auto fail = [](const std::string& why) { return make_error(ErrorCode::config_error, "REDIS_URL " + why); };
  constexpr std::string_view scheme = "redis://";
  if (!starts_with(text, scheme)) return fail("must start with redis://");
  std::string_view rest = text.substr(scheme.size());
  RedisUrl url;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      url.password = std::string(userinfo);
    } else {
      url.username = std::string(userinfo.substr(0, colon));
      url.password = std::string(userinfo.substr(colon + 1));
    }
  }
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string db(rest.substr(slash + 1));
    if (!db.empty()) {
      if (db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4) return fail("database must be a number, got '" + db + "'");
      url.db = std::stoi(db);
    }
  }
  if (auto colon = hostport.rfind(':'); colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    std::string port(hostport.substr(colon + 1));
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535 ||
        std::stoi(port) == 0)
      return fail("port must be 1-65535, got '" + port + "'");
    url.port = std::stoi(port);
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return fail("has no host");
  url.host = std::string(hostport);
  return url;
}

}  // namespace rt::redis
