#include "health_server.hpp"

#include "roundtable/http/metrics.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::bridge {

HealthServer::HealthServer(std::string host, int port, Probes probes, Logger logger)
    : host_(std::move(host)),
      port_(port),
      probes_(std::move(probes)),
      logger_(std::move(logger)),
      // Idle and slow clients wait outside the workers; two answer the probes and scrapes.
      server_(http::ServerLimits{.workers = 2, .max_header_bytes = 16 * 1024, .header_timeout = std::chrono::seconds(5),
                                 .max_idle_connections = 128}) {
  http::tune_server(server_, std::chrono::seconds(5));
  server_.set_write_timeout(std::chrono::seconds(2));
  server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"alive"})", "application/json");
  });
  server_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto [ready, detail] = probes_.ready();
    res.status = ready ? 200 : 503;
    res.set_content(detail, "application/json");
  });
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(probes_.metrics(), http::MetricsRegistry::kContentType);
  });
}

HealthServer::~HealthServer() { stop(); }

bool HealthServer::start() {
  if (port_ == 0) {
    port_ = server_.bind_to_any_port(host_);
  } else if (!server_.bind_to_port(host_, port_)) {
    logger_.error("health.bind_failed", {{"host", host_}, {"port", port_}});
    return false;
  }
  // Handlers answer at once; a second past the write timeout bounds a scrape cut short by stop().
  thread_ = std::thread([this] { server_.listen_after_bind(std::chrono::seconds(3)); });
  logger_.info("health.listening", {{"host", host_}, {"port", port_}});
  return true;
}

void HealthServer::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rt::bridge
