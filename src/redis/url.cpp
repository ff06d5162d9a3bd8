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
      url.password = percent_decode(userinfo);
    } else {
      url.username = percent_decode(userinfo.substr(0, colon));
      url.password = percent_decode(userinfo.substr(colon + 1));
    }
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return fail("takes no query or fragment (use redis://host:port/db)");
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string db(rest.substr(slash + 1));
    if (!db.empty()) {
      if (db.find_first_not_of("0123456789") != std::string::npos || db.size() > 4) return fail("database must be a number, got '" + db + "'");
      url.db = std::stoi(db);
    }
  }
  std::string_view port_text;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {  // IPv6: [::1] or [::1]:6379
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return fail("has an unclosed '[' in its host");
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail("has text after the IPv6 address: '" + std::string(after) + "'");
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
    hostport = hostport.substr(1, close - 1);
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    has_port = true;
    port_text = hostport.substr(colon + 1);
    hostport = hostport.substr(0, colon);
  }
  if (has_port) {
    std::string port(port_text);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535 ||
        std::stoi(port) == 0)
      return fail("port must be 1-65535, got '" + port + "'");
    url.port = std::stoi(port);
  }
  if (hostport.empty()) return fail("has no host");
  url.host = std::string(hostport);
  return url;
}

}  // namespace rt::redis
