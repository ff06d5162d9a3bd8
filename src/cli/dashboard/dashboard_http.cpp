// The dashboard's routes, its access rule (loopback host, or a token) and its embedded assets.
#include "roundtable/cli/dashboard/dashboard_http.hpp"

#include <openssl/crypto.h>

#include "roundtable/cli/dashboard_assets.hpp"  // generated from src/cli/dashboard/assets

namespace rt::cli::dashboard {

using nlohmann::json;

namespace {

constexpr const char* kCookie = "rt_dashboard_token";

const embedded::EmbeddedAsset* find_asset(std::string_view name) {
  for (const auto& asset : embedded::kEmbeddedAssets)
    if (name == asset.name) return &asset;
  return nullptr;
}

void secure_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
                 "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

void serve_asset(httplib::Response& res, std::string_view name, const char* type) {
  const embedded::EmbeddedAsset* asset = find_asset(name);
  if (!asset) {
    res.status = 404;
    return;
  }
  res.set_content(reinterpret_cast<const char*>(asset->data), asset->size, type);
}

bool same_secret(const std::string& given, const std::string& token) {
  return given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

std::string cookie_value(const httplib::Request& req) {
  std::string cookies = req.get_header_value("Cookie");
  std::string key = std::string(kCookie) + "=";
  for (size_t at = 0; (at = cookies.find(key, at)) != std::string::npos; at += key.size())
    if (at == 0 || cookies[at - 1] == ' ' || cookies[at - 1] == ';') {
      auto start = at + key.size();
      return cookies.substr(start, cookies.find(';', start) - start);
    }
  return "";
}

std::string host_name(const std::string& host_header) {
  if (!host_header.empty() && host_header[0] == '[') return host_header.substr(0, host_header.find(']') + 1);
  return host_header.substr(0, host_header.find(':'));
}

void refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_header("Connection", "close");  // an unread body must not be taken for the next request
  res.set_content(why + "\n", "text/plain; charset=utf-8");
}

httplib::Server::HandlerResponse check_access(const httplib::Request& req, httplib::Response& res, const Access& access) {
  secure_headers(res);
  if (req.method != "GET" && req.method != "HEAD") {
    res.set_header("Allow", "GET, HEAD");
    refuse(res, 405, "the dashboard is read-only");
    return httplib::Server::HandlerResponse::Handled;
  }
  if (access.token.empty()) {
    if (is_loopback_host(host_name(req.get_header_value("Host")))) return httplib::Server::HandlerResponse::Unhandled;
    refuse(res, 403, "this dashboard answers only to a loopback host name");
    return httplib::Server::HandlerResponse::Handled;
  }
  std::string bearer = req.get_header_value("Authorization");
  if (bearer.rfind("Bearer ", 0) == 0 && same_secret(bearer.substr(7), access.token)) return httplib::Server::HandlerResponse::Unhandled;
  if (same_secret(cookie_value(req), access.token)) return httplib::Server::HandlerResponse::Unhandled;
  if (req.path == "/" && req.has_param("token") && same_secret(req.get_param_value("token"), access.token)) {
    // Trade the token in the address for a cookie, and drop it from the address bar.
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + access.token + "; Path=/; HttpOnly; SameSite=Strict");
    res.set_redirect("/", 303);
    return httplib::Server::HandlerResponse::Handled;
  }
  res.set_header("WWW-Authenticate", "Bearer");
  refuse(res, 401, "a token is needed: open /?token=<token> once, or send Authorization: Bearer <token>");
  return httplib::Server::HandlerResponse::Handled;
}

void stream_events(FleetState& state, SseHub& hub, httplib::Response& res) {
  std::shared_ptr<SseHub::Client> client;
  state.with_snapshot(std::chrono::system_clock::now(), [&](const json& snapshot) {
    client = hub.join("retry: 1000\n\n" + SseHub::frame("snapshot", to_text(snapshot)));
  });
  if (!client) {
    res.set_header("Retry-After", "5");
    refuse(res, 503, "too many dashboard clients");
    return;
  }
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [&hub, client](size_t, httplib::DataSink& sink) {
        std::string frames;
        if (!hub.next(*client, frames)) return false;
        if (frames.empty()) frames = ": keepalive\n\n";
        return sink.write(frames.data(), frames.size());
      },
      [&hub, client](bool) { hub.leave(client); });
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string to_text(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

void install_routes(http::Server& server, FleetState& state, SseHub& hub, const Access& access) {
  server.set_payload_max_length(64 * 1024);
  server.set_pre_routing_handler([access](const httplib::Request& req, httplib::Response& res) { return check_access(req, res, access); });
  server.Get("/", [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "index.html", "text/html; charset=utf-8"); });
  server.Get("/app.js", [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "app.js", "text/javascript; charset=utf-8"); });
  server.Get("/app.css", [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "app.css", "text/css; charset=utf-8"); });
  server.Get("/api/state", [&state](const httplib::Request&, httplib::Response& res) {
    res.set_content(to_text(state.snapshot(std::chrono::system_clock::now())), "application/json");
  });
  server.Get(R"(/api/trace/([0-9A-Za-z-]{1,128}))", [&state](const httplib::Request& req, httplib::Response& res) {
    auto trace = state.trace(req.matches[1]);
    if (!trace) {
      res.status = 404;
      res.set_content(to_text({{"error", "not_found"}, {"message", "no such task in the dashboard's memory"}}), "application/json");
      return;
    }
    res.set_content(to_text(*trace), "application/json");
  });
  server.Get("/api/events", [&state, &hub](const httplib::Request&, httplib::Response& res) { stream_events(state, hub, res); });
}

}  // namespace rt::cli::dashboard
